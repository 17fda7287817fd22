import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { getCurrentSession } from "@/lib/auth/current";
import { safeNextPath } from "@/lib/auth/redirects";
import { SignInForm } from "./sign-in-form";

export const metadata: Metadata = { title: "Sign in" };

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string | string[] }> }) {
  const { next } = await searchParams;
  const target = safeNextPath(typeof next === "string" ? next : undefined);
  if (await getCurrentSession()) redirect(target);
  return (
    <main className="center-page">
      <div className="card">
        <h1>Understudy</h1>
        <p className="lede">Sign in to distil, compare and roll out recommenders.</p>
        <SignInForm next={target} />
      </div>
    </main>
  );
}
