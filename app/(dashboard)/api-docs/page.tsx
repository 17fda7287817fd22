import type { Metadata } from "next";
import { PageHeader } from "@/components/PageHeader";
import { SchemaView, typeLabel } from "@/components/api/SchemaView";
import { requirePageUser } from "@/lib/auth/current";
import { openApiDocument, type JsonSchema } from "@/lib/http/openapi";

export const metadata: Metadata = { title: "API" };

interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  "x-access": string;
  "x-max-body-bytes"?: number;
  parameters: { name: string; in: string; required: boolean; schema: JsonSchema }[];
  requestBody?: { required: boolean; description?: string; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
}

const bytes = (n: number) => (n >= 2 ** 20 ? `${Math.round(n / 2 ** 20)} MiB` : `${Math.round(n / 1024)} KiB`);

export default async function ApiPage() {
  await requirePageUser();
  const doc = openApiDocument();
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op: op as unknown as Operation })),
  );
  const tags = [...new Set(operations.map((o) => o.op.tags[0]))];
  return (
    <>
      <PageHeader
        title="API"
        description={
          <>
            Every route of the HTTP API, generated from the route table: who may call it, what it reads and what it answers. Machine-readable at{" "}
            <a href="/api/openapi.json">
              <code>/api/openapi.json</code>
            </a>{" "}
            (OpenAPI 3.1). <code>/api/v1</code> takes an API key (<code>Authorization: Bearer &lt;key&gt;</code> or <code>X-API-Key</code>); the rest a session.
            Errors answer <code>{"{error, message, issues?}"}</code>, each issue naming its field.
          </>
        }
      />
      <nav className="panel" aria-label="API sections" style={{ display: "flex", flexWrap: "wrap", gap: "4px 12px" }}>
        {tags.map((tag) => (
          <a key={tag} href={`#${tag}`}>
            {tag}
          </a>
        ))}
      </nav>
      {tags.map((tag) => (
        <section key={tag} className="panel" id={tag} aria-labelledby={`${tag}-heading`}>
          <h2 id={`${tag}-heading`}>{tag}</h2>
          {operations
            .filter((o) => o.op.tags[0] === tag)
            .map(({ path, method, op }) => {
              const query = op.parameters.filter((p) => p.in === "query");
              const pathParams = op.parameters.filter((p) => p.in === "path");
              const [status, ok] = Object.entries(op.responses)[0];
              return (
                <article
                  key={op.operationId}
                  data-testid={`api-${method} ${path}`}
                  style={{ borderTop: "1px solid var(--border, #ddd)", paddingTop: 12, marginTop: 12 }}
                >
                  <h3>
                    <span className="badge">{method}</span> <code>{path}</code>
                  </h3>
                  <p>{op.summary}</p>
                  <p className="muted">
                    Auth: {op["x-access"]}
                    {op["x-max-body-bytes"] !== undefined ? ` · body at most ${bytes(op["x-max-body-bytes"])}` : ""}
                  </p>
                  {pathParams.length > 0 ? (
                    <p>
                      Path:{" "}
                      {pathParams.map((p) => (
                        <span key={p.name} style={{ marginRight: 12 }}>
                          <code>{p.name}</code> ({typeLabel(p.schema)})
                        </span>
                      ))}
                    </p>
                  ) : null}
                  {query.length > 0 ? (
                    <SchemaView
                      caption="Query"
                      schema={{
                        type: "object",
                        properties: Object.fromEntries(query.map((p) => [p.name, p.schema])),
                        required: query.filter((p) => p.required).map((p) => p.name),
                      }}
                    />
                  ) : null}
                  {op.requestBody?.required
                    ? Object.entries(op.requestBody.content).map(([type, { schema }]) => <SchemaView key={type} caption={`Body (${type})`} schema={schema} />)
                    : null}
                  {ok.content ? <SchemaView caption={`Answer ${status}`} schema={ok.content["application/json"].schema} /> : <p>Answer {status}: no content</p>}
                </article>
              );
            })}
        </section>
      ))}
    </>
  );
}
