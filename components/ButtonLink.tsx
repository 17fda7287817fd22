import Link from "next/link";

/** A link styled as a button (`secondary`: the quieter style). */
export function ButtonLink({ href, label, secondary = false, testId }: { href: string; label: string; secondary?: boolean; testId?: string }) {
  return (
    <Link href={href} className={secondary ? "button secondary" : "button"} data-testid={testId}>
      {label}
    </Link>
  );
}
