import type { CSSProperties } from "react";

/** A failure message in an alert box; nothing when there is none. */
export function ErrorAlert({ error, style, testId }: { error: string | null | undefined; style?: CSSProperties; testId?: string }) {
  return error ? (
    <div className="alert error" role="alert" style={style} data-testid={testId}>
      {error}
    </div>
  ) : null;
}
