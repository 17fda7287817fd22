import type { Metadata } from "next";
import Link from "next/link";
import { PageHeader } from "@/components/PageHeader";
import { formatBytes } from "@/components/format";
import { requirePageRole } from "@/lib/auth/current";
import { importMaxBytes, listImportDir } from "@/lib/db/imports";
import { ImportForm } from "./import-form";

export const metadata: Metadata = { title: "Import a dataset" };

export default async function ImportDatasetPage() {
  await requirePageRole("editor");
  const serverFiles = listImportDir();
  return (
    <>
      <PageHeader
        title="Import a dataset"
        breadcrumb={<Link href="/datasets">Datasets</Link>}
        description={
          <>
            Bring your own interaction log: a MovieLens <code>ratings.csv</code>, any CSV/TSV with a header (user, item, optional time and weight), or a ready
            split (<code>train.tsv</code>/<code>valid.tsv</code>/<code>test.tsv</code>, zipped). Gzip is fine. Up to {formatBytes(importMaxBytes())}. Nothing is
            stored until you import; a malformed line stops the import and stores nothing.
          </>
        }
      />
      <ImportForm serverFiles={serverFiles} />
    </>
  );
}
