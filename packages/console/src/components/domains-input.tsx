import { Alert, List, TagsInput } from '@mantine/core';
import { useRef, useState, type ReactNode } from 'react';
import { domainEntry } from '../validation/forms';

/**
 * A public token's domains. Each entry becomes a chip as soon as it is entered (Enter, comma, space or a
 * paste), shown as the origin the server will store; an entry that cannot be one stays in the field with
 * the reason under it. Plain http origins beyond this machine are kept, with a warning.
 */
export function DomainsInput({
  value,
  onChange,
  error,
  required,
  description,
}: {
  value: string[];
  onChange: (domains: string[]) => void;
  error?: ReactNode;
  required?: boolean;
  description?: string;
}) {
  const [search, setSearch] = useState('');
  const [refused, setRefused] = useState<string | null>(null);
  // TagsInput empties its field right after it reports a new entry; after a refusal, that one is skipped.
  const keepSearch = useRef(false);

  const add = (next: string[]) => {
    const kept: string[] = [];
    let problem: { entry: string; message: string } | null = null;
    for (const entry of next) {
      const check = domainEntry(entry);
      if (!check.ok) {
        problem ??= { entry, message: check.message };
        continue;
      }
      if (!kept.includes(check.origin)) kept.push(check.origin);
    }
    onChange(kept);
    setRefused(problem?.message ?? null);
    // The refused text goes back into the field, to be corrected rather than typed again.
    if (problem) {
      keepSearch.current = true;
      setSearch(problem.entry);
    }
  };

  const warnings = value.map((d) => domainEntry(d)).flatMap((c) => (c.ok && c.warning ? [c.warning] : []));
  return (
    <>
      <TagsInput
        label="Domains"
        required={required}
        description={description}
        placeholder="https://shop.example.com — press Enter after each"
        splitChars={[',', ' ']}
        value={value}
        onChange={add}
        searchValue={search}
        onSearchChange={(s) => {
          if (keepSearch.current && s === '') {
            keepSearch.current = false;
            return;
          }
          keepSearch.current = false;
          setSearch(s);
          if (refused) setRefused(null);
        }}
        error={refused ?? error}
        data-testid="domains-input"
      />
      {warnings.length > 0 && (
        <Alert color="orange" title="Unencrypted origins" data-testid="domain-warnings">
          <List size="sm">
            {warnings.map((w) => (
              <List.Item key={w}>{w}</List.Item>
            ))}
          </List>
        </Alert>
      )}
    </>
  );
}
