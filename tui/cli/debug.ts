/** DEBUG=mux1 (or mux1*, or *) shows stacks and library chatter that is hidden otherwise. */
export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.DEBUG ?? '').split(/[\s,]+/).some((d) => d === 'mux1' || d === 'mux1*' || d === '*');
}
