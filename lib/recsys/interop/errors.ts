// Problems with files brought from outside (teacher embeddings, ranked lists, id lists): which input, where
// (line or byte), and why, so the CLI and the API can say it without a stack trace.
export class ImportError extends Error {
  constructor(
    message: string,
    /** the input it concerns (an API form field or a CLI flag name), e.g. "userEmbeddings" */
    readonly field: string,
  ) {
    super(message);
    this.name = "ImportError";
  }
}
