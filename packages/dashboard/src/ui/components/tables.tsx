import type { ComponentChildren } from 'preact';

/** A table that scrolls sideways on a narrow screen instead of squeezing its columns. */
export function ScrollTable({ caption, children, label }: { caption?: string; label?: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={label ?? caption ?? 'table'}>
      <table>
        {caption ? <caption>{caption}</caption> : null}
        {children}
      </table>
    </div>
  );
}
