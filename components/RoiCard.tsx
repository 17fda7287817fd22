"use client";
// Cost and ROI of a switch (teacher → student on the comparison page, control → candidate on an experiment
// report): requests per day and prices → monthly serving cost of each side, the saving, and the trade-off.
import { useId, useState } from "react";
import type { Prices } from "@/lib/experiments/cost";
import { formatUsd, switchCost, switchCostSentence, type RoiArm } from "@/lib/experiments/offline-comparison";
import { Field } from "@/components/Field";
import { namedOptions, Select } from "@/components/Select";
import { DataTable, numeric } from "@/components/DataTable";

export interface RoiCardProps {
  /** what is served today (the teacher, the control) */
  from: RoiArm;
  /** "teacher", "control" */
  fromLabel: string;
  /** what could be served instead; a picker appears when there are several */
  options: RoiArm[];
  /** "student", "candidate" */
  optionLabel: string;
  defaultOptionId?: string;
  /** heading of the quality column, e.g. "NDCG@10 kept" */
  qualityHeader: string;
  /** where the CPU per request comes from, e.g. "the mean single-core scoring time measured by the comparison" */
  cpuSource: string;
  defaultRequestsPerDay: number;
  /** why the requests-per-day default is what it is */
  requestsNote?: string;
  prices: Prices;
}

const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function RoiCard({
  from,
  fromLabel,
  options,
  optionLabel,
  defaultOptionId,
  qualityHeader,
  cpuSource,
  defaultRequestsPerDay,
  requestsNote,
  prices,
}: RoiCardProps) {
  const id = useId();
  const [optionId, setOptionId] = useState(defaultOptionId ?? options[0]?.id);
  const [requests, setRequests] = useState(String(defaultRequestsPerDay));
  const [vcpu, setVcpu] = useState(String(prices.vcpuHourUsd));
  const [gib, setGib] = useState(String(prices.gibHourUsd));
  const to = options.find((o) => o.id === optionId) ?? options[0];
  const nums = [Number(requests), Number(vcpu), Number(gib)];
  const valid = requests.trim() !== "" && vcpu.trim() !== "" && gib.trim() !== "" && nums.every((n) => Number.isFinite(n) && n >= 0);
  const cost = valid && to ? switchCost(from, to, nums[0], { vcpuHourUsd: nums[1], gibHourUsd: nums[2] }) : null;
  if (!to) return null;
  return (
    <div data-testid="roi-card">
      <div className="roi-inputs">
        {options.length > 1 ? (
          <Field id={`${id}-option`} label={capitalised(optionLabel)}>
            <Select id={`${id}-option`} value={to.id} onChange={(e) => setOptionId(e.target.value)} options={namedOptions(options)} />
          </Field>
        ) : null}
        <div className="field">
          <label htmlFor={`${id}-requests`}>Requests per day</label>
          <input id={`${id}-requests`} type="number" min="0" step="1000" inputMode="numeric" value={requests} onChange={(e) => setRequests(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-vcpu`}>vCPU-hour price (USD)</label>
          <input id={`${id}-vcpu`} type="number" min="0" step="0.001" value={vcpu} onChange={(e) => setVcpu(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-gib`}>GiB-hour price (USD)</label>
          <input id={`${id}-gib`} type="number" min="0" step="0.0001" value={gib} onChange={(e) => setGib(e.target.value)} />
        </div>
      </div>
      {cost ? (
        <>
          <p className="comparison-headline" data-testid="roi-summary">
            {switchCostSentence(cost, fromLabel)}; {to.tradeOff}.
          </p>
          <DataTable
            columns={["Monthly serving cost", numeric("CPU per request"), numeric("CPU"), numeric("Memory"), numeric("Total"), numeric(qualityHeader)]}
            label="Monthly serving cost table (scrolls sideways)"
          >
            {(
              [
                [fromLabel, from, cost.from],
                [optionLabel, to, cost.to],
              ] as const
            ).map(([label, arm, c]) => (
              <tr key={label}>
                <th scope="row">
                  {capitalised(label)}: {arm.name}
                </th>
                <td className="num" data-testid={`roi-${label}-cpu-ms`}>
                  {arm.cpuMsPerRequest.toFixed(3)} ms
                </td>
                <td className="num">{formatUsd(c.cpu)}</td>
                <td className="num">{formatUsd(c.memory)}</td>
                <td className="num" data-testid={`roi-${label}-total`}>
                  {formatUsd(c.total)}
                </td>
                <td className="num" data-testid={`roi-${label}-quality`}>
                  {arm.quality}
                </td>
              </tr>
            ))}
          </DataTable>
          <p className="muted">
            CPU: requests × CPU per request ({cpuSource}) × vCPU-hour price. Memory: one resident copy of the model, 730 hours a month. Price defaults come from
            UNDERSTUDY_VCPU_HOUR_USD and UNDERSTUDY_GIB_HOUR_USD.{requestsNote ? ` ${requestsNote}` : ""}
          </p>
        </>
      ) : (
        <p className="alert error" role="alert">
          Every input must be a number of at least 0.
        </p>
      )}
    </div>
  );
}
