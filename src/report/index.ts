import { explain } from '../explain/index.js';
import type { TraceFile } from '../trace/format.js';
import type { ReplayResult } from '../trace/replay.js';
import { renderHtml } from './html.js';

/** What the report needs of a run: the trace, and the replay that derived its message fates. */
export function traceHtml(file: string, trace: TraceFile, replay: Pick<ReplayResult, 'reproduced' | 'events' | 'messages'> | null, line: (e: TraceFile['events'][number]) => string): string {
  const events = trace.events;
  const impl = trace.implementation.module !== null ? `${trace.implementation.name} (${trace.implementation.module})` : trace.implementation.name;
  return renderHtml({
    title: file,
    nodes: trace.schedule.nodes,
    about: `${impl} · ${trace.schedule.nodes} nodes · faults ${trace.profile} · seed ${trace.seed ?? '-'} · ${events.length} events`,
    violation: trace.violation,
    events,
    // Fates are the replay's; they belong to these events only when the replay reproduced them.
    messages: replay !== null && replay.reproduced ? replay.messages : undefined,
    explanation: explain(trace),
    lines: events.map(line),
  });
}

