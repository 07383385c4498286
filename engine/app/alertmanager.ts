/**
 * Alertmanager bodies at the App's door: checked against the intake stage's own v4 schema, so a
 * body the pipeline would refuse is a 400 now rather than a failed run later.
 */
import { type AlertmanagerPayload, AlertmanagerPayload as Payload } from '../intake/alertmanager-schema.ts';
import { formatIssues } from '../intake/zod-issues.ts';
import { InputError } from '../model/index.ts';

export type { AlertmanagerPayload };

export function readAlertmanagerBody(body: string): AlertmanagerPayload {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    throw new InputError(`alertmanager payload is not JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = Payload.safeParse(json);
  if (!parsed.success) throw new InputError(`alertmanager payload: ${formatIssues(parsed.error, 3)}`);
  return parsed.data;
}
