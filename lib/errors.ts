/** A failure the user can fix: shown as one line, no stack. `exitCode` follows cli/exit-codes.ts. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
