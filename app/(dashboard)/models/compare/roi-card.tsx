"use client";
// Cost and ROI of switching from the teacher to a student: inputs → monthly serving cost, saving, quality given up.
import { useId, useState } from "react";
import { formatUsd, shareOf, switchRoi, type ComparedModelSummary } from "@/lib/experiments/offline-comparison";
import type { Prices } from "@/lib/experiments/cost";
import { formatShare } from "@/lib/format";

export function RoiCard({ teacher, students, defaultStudentId, prices }: { teacher: ComparedModelSummary; students: ComparedModelSummary[]; defaultStudentId: string; prices: Prices }) {
  const id = useId();
  const [studentId, setStudentId] = useState(defaultStudentId);
  const [requests, setRequests] = useState("1000000");
  const [vcpu, setVcpu] = useState(String(prices.vcpuHourUsd));
  const [gib, setGib] = useState(String(prices.gibHourUsd));
  const student = students.find((s) => s.id === studentId) ?? students[0];
  const nums = [Number(requests), Number(vcpu), Number(gib)];
  const valid = nums.every((n) => Number.isFinite(n) && n >= 0);
  const roi = valid ? switchRoi(teacher, student, nums[0], { vcpuHourUsd: nums[1], gibHourUsd: nums[2] }) : null;
  const share = shareOf(student.sampled["N@10"], teacher.sampled["N@10"]);
  return (
    <div data-testid="roi-card">
      <div className="roi-inputs">
        <div className="field">
          <label htmlFor={`${id}-student`}>Student</label>
          <select id={`${id}-student`} value={studentId} onChange={(e) => setStudentId(e.target.value)}>
            {students.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
          </select>
        </div>
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
      {roi ? (
        <>
          <p className="comparison-headline" data-testid="roi-summary">
            Switching saves {formatUsd(roi.saving)}/month
            {roi.savingShare !== null ? ` (${formatShare(roi.savingShare)} of the teacher's serving cost)` : ""}, giving up {formatShare(roi.qualityGivenUp)} of
            the teacher&apos;s NDCG@10.
          </p>
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Monthly serving cost table (scrolls sideways)">
            <table className="data">
              <thead>
                <tr>
                  <th scope="col">Monthly serving cost</th>
                  <th scope="col" className="num">
                    CPU
                  </th>
                  <th scope="col" className="num">
                    Memory
                  </th>
                  <th scope="col" className="num">
                    Total
                  </th>
                  <th scope="col" className="num">
                    NDCG@10 kept
                  </th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">Teacher: {teacher.name}</th>
                  <td className="num">{formatUsd(roi.teacher.cpu)}</td>
                  <td className="num">{formatUsd(roi.teacher.memory)}</td>
                  <td className="num" data-testid="roi-teacher-total">
                    {formatUsd(roi.teacher.total)}
                  </td>
                  <td className="num">100%</td>
                </tr>
                <tr>
                  <th scope="row">Student: {student.name}</th>
                  <td className="num">{formatUsd(roi.student.cpu)}</td>
                  <td className="num">{formatUsd(roi.student.memory)}</td>
                  <td className="num" data-testid="roi-student-total">
                    {formatUsd(roi.student.total)}
                  </td>
                  <td className="num">{formatShare(share)}</td>
                </tr>
              </tbody>
            </table>
          </div>
          <p className="muted">
            CPU: requests × the mean single-core scoring time measured by the comparison ({(teacher.meanLatencyUs / 1000).toFixed(2)} ms teacher,{" "}
            {(student.meanLatencyUs / 1000).toFixed(2)} ms student) × vCPU-hour price. Memory: one resident copy of the model, 730 hours a month.
            Defaults come from UNDERSTUDY_VCPU_HOUR_USD and UNDERSTUDY_GIB_HOUR_USD.
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
