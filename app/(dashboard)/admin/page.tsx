import { redirect } from "next/navigation";
import { requirePageRole } from "@/lib/auth/current";

export default async function AdminIndex() {
  await requirePageRole("admin");
  redirect("/admin/users");
}
