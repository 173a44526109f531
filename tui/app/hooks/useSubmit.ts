import { useCallback, useRef, useState } from 'react';
import { asFailure, type ApiFailure } from '../services.js';

export interface SubmitState {
  busy?: string;
  error?: string;
  fieldErrors: Record<string, string>;
}

/**
 * Runs one request at a time for a form: a spinner label while it runs, and its failure
 * split into the field it concerns (shown beside that field) or a message for the form.
 */
export function useSubmit() {
  const [state, setState] = useState<SubmitState>({ fieldErrors: {} });
  const running = useRef(false);
  const run = useCallback(async <T>(label: string, request: () => Promise<T>): Promise<T | undefined> => {
    if (running.current) return undefined;
    running.current = true;
    setState({ busy: label, fieldErrors: {} });
    try {
      const result = await request();
      setState({ fieldErrors: {} });
      return result;
    } catch (err) {
      const f: ApiFailure = asFailure(err);
      setState(f.field ? { fieldErrors: { [f.field]: f.error } } : { error: f.error, fieldErrors: {} });
      return undefined;
    } finally {
      running.current = false;
    }
  }, []);
  const fail = useCallback((field: string | undefined, error: string) => {
    setState(field ? { fieldErrors: { [field]: error } } : { error, fieldErrors: {} });
  }, []);
  return { ...state, run, fail };
}
