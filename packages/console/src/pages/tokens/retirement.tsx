import { Select, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { RotateBody } from '../../api/types';
import { localDateTimeInput, retireAtError } from '../../validation/forms';

type Retire = RotateBody['retire'];

const DAY_MS = 86_400_000;
const DEFAULT_OVERLAP = String(86_400);

export const OVERLAPS = [
  { value: String(3_600), label: '1 hour' },
  { value: DEFAULT_OVERLAP, label: '1 day' },
  { value: String(7 * 86_400), label: '7 days' },
  { value: String(30 * 86_400), label: '30 days' },
];

/**
 * When a rotation's replaced value stops working — on first use (at the latest after an overlap), at a
 * time, or now — and the part of the request that says so. Rotating one token and rotating many in bulk
 * ask the same question and send the same fields.
 */
export function useRetirement(initial: Retire) {
  const [retire, setRetire] = useState<Retire>(initial);
  const [overlap, setOverlap] = useState(DEFAULT_OVERLAP);
  const [at, setAt] = useState(() => localDateTimeInput(new Date(Date.now() + DAY_MS)));
  const atError = retire === 'at' ? retireAtError(at) : null;
  /** `null` while the chosen time is refused. */
  const body: RotateBody | null =
    retire === 'at'
      ? atError
        ? null
        : { retire, at: new Date(at).toISOString() }
      : retire === 'on_first_use'
        ? { retire, overlapSeconds: Number(overlap) }
        : { retire };
  return { retire, setRetire, overlap, setOverlap, at, setAt, atError, body };
}

export type Retirement = ReturnType<typeof useRetirement>;

/** The longest the old value may keep working when retiring on first use. */
export function OverlapSelect({ retirement }: { retirement: Retirement }) {
  return (
    <Select
      label="At the latest after"
      data={OVERLAPS}
      value={retirement.overlap}
      onChange={(v) => retirement.setOverlap(v ?? DEFAULT_OVERLAP)}
      allowDeselect={false}
      w={200}
      ml="xl"
    />
  );
}

/** The time the old value stops working when retiring at a chosen time. */
export function RetireAtInput({ retirement, label }: { retirement: Retirement; label: string }) {
  return (
    <TextInput
      label={label}
      type="datetime-local"
      value={retirement.at}
      onChange={(e) => retirement.setAt(e.currentTarget.value)}
      error={retirement.atError}
      w={260}
      ml="xl"
    />
  );
}
