import {showToast, type ToastType} from '@stripe/ui-extension-sdk/utils';

/** The Dashboard silently drops toasts longer than this. */
export const TOAST_MAX_LENGTH = 30;

/** Show a short toast; a failure to show it must never break the action that triggered it. */
export function notify(message: string, type?: ToastType): void {
  showToast(message, {type}).catch(() => undefined);
}
