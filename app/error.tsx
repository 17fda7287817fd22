"use client";

// Shown when a page fails to render. Only the digest reaches the browser; details stay in the server log.
export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="center-page">
      <div className="card">
        <p className="status-code">500</p>
        <h1>Something went wrong</h1>
        <p className="lede">
          The page could not be shown. The error was logged on the server
          {error.digest ? (
            <>
              {" "}
              under reference <code>{error.digest}</code>
            </>
          ) : null}
          .
        </p>
        <button type="button" className="secondary" onClick={reset}>
          Try again
        </button>
      </div>
    </main>
  );
}
