/** Buttons that pick the time range of a report or chart; the pressed one is the range shown. */
export const RangeToggle = <K extends string>({ ranges, value, onChange }: { ranges: { key: K; label: string }[]; value: K; onChange: (range: K) => void }) => (
  <div className="range-toggle" role="group" aria-label="Time range">
    {ranges.map((r) => (
      <button
        key={r.key}
        type="button"
        className={`btn btn-small${value === r.key ? ' active' : ''}`}
        aria-pressed={value === r.key}
        onClick={() => onChange(r.key)}
      >
        {r.label}
      </button>
    ))}
  </div>
);
