import type { ComponentProps, ReactNode } from "react";

export interface SelectOption {
  value: string | number;
  label: ReactNode;
}

/** A `<select>` over a list of options (a plain string is its own value and label). */
export function Select({ options, ...props }: Omit<ComponentProps<"select">, "children"> & { options: readonly (string | SelectOption)[] }) {
  return (
    <select {...props}>
      {options.map((o, i) => {
        const option = typeof o === "string" ? { value: o, label: o } : o;
        return (
          <option key={i} value={option.value}>
            {option.label}
          </option>
        );
      })}
    </select>
  );
}

/** Options for records that have an id and a name. */
export const namedOptions = (items: readonly { id: string; name: string }[]): SelectOption[] => items.map((item) => ({ value: item.id, label: item.name }));
