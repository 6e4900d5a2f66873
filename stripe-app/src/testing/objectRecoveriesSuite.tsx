import type {ExtensionContextValue} from '@stripe/ui-extension-sdk/context';
import {getMockContextProps} from '@stripe/ui-extension-sdk/testing';
import {Badge, Banner, Link, Spinner} from '@stripe/ui-extension-sdk/ui';
import type {ComponentType} from 'react';

import {aSummary, contextFor} from './fixtures';
import {FakeBackend} from './http';
import {buttonLabelled, renderView, unmountAll} from './views';

/** A Dashboard object whose page lists the recoveries of that object (a customer, a subscription). */
export interface RecoveriesPage {
  View: ComponentType<ExtensionContextValue>;
  viewport: string;
  object: 'customer' | 'subscription';
  id: string;
}

/** The behaviour every "recoveries of this object" view shares, asserted for one of them. */
export function describeObjectRecoveries(name: string, page: RecoveriesPage): void {
  let backend: FakeBackend;

  afterEach(unmountAll);

  beforeEach(() => {
    backend = new FakeBackend().install();
  });

  function renderPanel(objectContext: {id: string; object: string} | null = {id: page.id, object: page.object}) {
    const props = getMockContextProps(contextFor(page.viewport));
    props.environment.objectContext = objectContext;
    return renderView(<page.View {...props} />);
  }

  describe(name, () => {
    it(`asks only for this ${page.object}'s recoveries and shows a spinner meanwhile`, async () => {
      backend.hang();

      const {wrapper, update} = renderPanel();
      await update();

      expect(wrapper).toContainComponent(Spinner);
      expect(backend.last.url.pathname).toBe('/api/v1/recoveries');
      expect(backend.last.url.searchParams.get(page.object)).toBe(page.id);
    });

    it('lists each recovery with its status and a link to its invoice', async () => {
      backend.respond(200, {
        recoveries: [aSummary({id: 'rec_9', invoice_id: 'in_9', status: 'recovered', closed_at: '2026-11-25T09:00:00Z'}), aSummary()],
        page: 1,
        has_more: false,
      });

      const {wrapper, update} = renderPanel();
      await update();

      expect(wrapper.findAll(Badge).map((badge) => badge.text)).toEqual(['Recovered', 'Retry scheduled']);
      expect(wrapper.findAll(Link).map((link) => link.prop('href'))).toEqual([
        'https://dashboard.stripe.com/test/invoices/in_9',
        'https://dashboard.stripe.com/test/invoices/in_123',
      ]);
    });

    it(`says so when Recoup never had to recover a payment of this ${page.object}`, async () => {
      backend.respond(200, {recoveries: [], page: 1, has_more: false});

      const {wrapper, update} = renderPanel();
      await update();

      expect(wrapper).toContainText(`Recoup has not had to recover a payment of this ${page.object}.`);
    });

    it('explains a failed load and loads again on request', async () => {
      backend
        .respond(401, {error: {code: 'invalid_signature', message: 'Your session has expired. Reload the page.'}})
        .respond(200, {recoveries: [aSummary()], page: 1, has_more: false});
      const {wrapper, update} = renderPanel();
      await update();

      expect(wrapper).toContainComponent(Banner, {type: 'critical', description: 'Your session has expired. Reload the page.'});

      buttonLabelled(wrapper, 'Try again').trigger('onPress', {});
      await update();

      expect(wrapper.findAll(Badge).map((badge) => badge.text)).toEqual(['Retry scheduled']);
    });

    it(`calls nothing on a page that is not a ${page.object}`, async () => {
      const {wrapper, update} = renderPanel(null);
      await update();

      expect(backend.requests).toHaveLength(0);
      expect(wrapper).toContainComponent(Banner, {type: 'critical'});
    });
  });
}
