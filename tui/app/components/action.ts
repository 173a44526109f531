/**
 * `/me waves` is carried on the wire as an ordinary message whose text starts with "/me " (see
 * docs/api.md, "Actions"): a client that knows the convention shows "* alice waves", one that does
 * not shows the text as it is, which still reads right. Nothing changes on the server.
 */
export const ACTION_PREFIX = '/me ';

/** The action's text, or undefined when the message is not an action. */
export function actionOf(text: string): string | undefined {
  if (!text.startsWith(ACTION_PREFIX)) return undefined;
  const rest = text.slice(ACTION_PREFIX.length).trim();
  return rest ? rest : undefined;
}
