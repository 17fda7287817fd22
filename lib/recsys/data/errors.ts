// The one error type of dataset loading: a message a person can act on, naming file and line.

export class DatasetError extends Error {
  /** path of the offending file, when the problem is in one */
  readonly file?: string;
  /** 1-based line number, when the problem is on one line */
  readonly line?: number;

  constructor(message: string, where: { file?: string; line?: number } = {}) {
    super(message);
    this.name = "DatasetError";
    this.file = where.file;
    this.line = where.line;
  }
}
