"""Everything that touches the outside world: database, Stripe, mail, the clock."""
