import { signInResponse } from "@/lib/auth/sign-in-request";
import { handler } from "@/lib/http";
import { requestClientAddress } from "@/lib/http/client-address";

export const POST = handler((request: Request) => signInResponse(request, requestClientAddress(request)));
