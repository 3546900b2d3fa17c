/**
 * Opens a trace file in the viewer: `npx tsx src/ui/e2e/view-file.tsx FILE`. The end-to-end
 * check drives it in tmux; `raft-check replay FILE` is the way users get here.
 */
import { readTrace } from '../../trace/io.js';
import { runViewer } from '../viewer.js';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: view-file.tsx TRACE.json\n');
  process.exit(2);
}
await runViewer(readTrace(file), null, { file });
