/**
 * How a form gets PINs out of its inputs: every value is read, then every input is
 * emptied, before anything else happens, so a PIN stays in the page no longer than the
 * submit handler runs, whatever the outcome of the attempt.
 */

/** What an input is to this function (an HTMLInputElement, or a test's object). */
export interface PinInputLike {
  value: string;
}

/** The values of `inputs` in order ('' for a missing input); all inputs are emptied. */
export function takePins(inputs: readonly (PinInputLike | null)[]): string[] {
  const values = inputs.map((input) => input?.value ?? '');
  for (const input of inputs) if (input !== null) input.value = '';
  return values;
}
