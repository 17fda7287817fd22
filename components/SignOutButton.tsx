"use client";

import { useRouter } from "next/navigation";
import { postJson } from "@/components/api-client";

/** Sign-out is a same-origin JSON POST (the route refuses forms, so no other site can sign you out). */
export function SignOutButton() {
  const router = useRouter();
  return (
    <button
      type="button"
      className="link-button"
      onClick={async () => {
        await postJson("/api/auth/sign-out");
        router.replace("/sign-in");
        router.refresh();
      }}
    >
      Sign out
    </button>
  );
}
