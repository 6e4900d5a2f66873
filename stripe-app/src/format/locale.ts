const FALLBACK = 'en-US';

/** Return a locale Intl accepts; the Dashboard's value is used when it is well formed. */
export function safeLocale(locale: string | undefined): string {
  if (!locale) {
    return FALLBACK;
  }
  try {
    return Intl.getCanonicalLocales(locale)[0] ?? FALLBACK;
  } catch {
    return FALLBACK;
  }
}
