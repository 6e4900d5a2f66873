import {render} from '@stripe/ui-extension-sdk/testing';
import {Button} from '@stripe/ui-extension-sdk/ui';
import type {ReactElement} from 'react';

type View = ReturnType<typeof render>;
type Wrapper = View['wrapper'];

const mounted: Wrapper[] = [];

const nextImmediate = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Render a view and remember it, so unmountAll() can stop it reacting after its test ends.
 *
 * The returned update() settles more than the SDK's (one timer tick): React schedules the effects of
 * a render outside act() with setImmediate, and a request chain (signature, fetch, body) needs
 * several turns, so it alternates both kinds of tick a few times.
 */
export function renderView(element: ReactElement): View {
  const view = render(element);
  mounted.push(view.wrapper);
  const update = async () => {
    for (let turn = 0; turn < 4; turn += 1) {
      await nextImmediate();
      await view.update();
    }
  };
  return {wrapper: view.wrapper, update};
}

export function unmountAll(): void {
  for (const wrapper of mounted.splice(0)) {
    wrapper.unmount();
  }
}

/** Find the Button showing exactly this text, or fail the test naming the buttons that exist. */
export function buttonLabelled(wrapper: Wrapper, label: string) {
  const buttons = wrapper.findAll(Button);
  const button = buttons.find((node) => node.text === label);
  if (!button) {
    throw new Error(`no "${label}" button; buttons: ${JSON.stringify(buttons.map((node) => node.text))}`);
  }
  return button;
}
