import type { ReactNode } from "react";

/** A secret the server shows once (an API key, a signing secret), with what to do about it. */
export function OneTimeSecret({ children, secret, testId }: { children: ReactNode; secret: string; testId: string }) {
  return (
    <div className="alert success" role="status" style={{ marginBottom: 14 }}>
      <p style={{ marginTop: 0 }}>{children}</p>
      <div className="secret" data-testid={testId}>
        {secret}
      </div>
    </div>
  );
}
