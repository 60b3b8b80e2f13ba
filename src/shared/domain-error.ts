/** Every refusal the domain can give. Adapters translate these once into HTTP codes or Slack messages. */
export type DomainErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'forbidden'
  | 'invalid_transition'
  | 'not_in_incident_channel'
  | 'conflict'
  | 'already_exists'
  | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    /** Human reason, safe to show to the user who asked. */
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'DomainError';
  }
}

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;

export function assertNever(x: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(x)}`);
}
