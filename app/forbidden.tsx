import Link from "next/link";

export default function Forbidden() {
  return (
    <main className="center-page">
      <div className="card">
        <p className="status-code">403</p>
        <h1>Not allowed</h1>
        <p className="lede">Your role does not give access to this page. Ask an admin if you need it.</p>
        <Link href="/">Back to the overview</Link>
      </div>
    </main>
  );
}
