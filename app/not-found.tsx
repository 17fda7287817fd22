import Link from "next/link";

export default function NotFound() {
  return (
    <main className="center-page">
      <div className="card">
        <p className="status-code">404</p>
        <h1>Page not found</h1>
        <p className="lede">There is nothing at this address. It may have been removed, or the link is wrong.</p>
        <Link href="/">Back to the overview</Link>
      </div>
    </main>
  );
}
