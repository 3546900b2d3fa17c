import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/**
 * `--exec 'COMMAND ARGS'`: split like a POSIX shell splits words (single quotes, double quotes,
 * backslashes), with nothing expanded (no variables, globs or `~`) and nothing run by a shell.
 * Returns the words, or a phrase saying what is wrong.
 */
export function splitCommandLine(line: string): string[] | string {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
      continue;
    }
    inWord = true;
    if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) return 'a single quote is not closed';
      word += line.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) return 'a double quote is not closed';
        const d = line[i];
        if (d === '"') break;
        // Inside double quotes a backslash escapes only these, as in sh.
        if (d === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1])) {
          word += line[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      i++;
    } else if (c === '\\') {
      if (i + 1 >= line.length) return 'the command line ends with a backslash';
      word += line[i + 1];
      i += 2;
    } else {
      word += c;
      i++;
    }
  }
  if (inWord) words.push(word);
  if (words.length === 0) return 'the command is empty';
  return words;
}

/**
 * Where the program of a command would be found, as execvp finds it: a name with a slash is
 * a path (relative to `cwd`); anything else is looked up on PATH. Returns the path, or a phrase
 * saying why it cannot be started.
 */
export function findProgram(program: string, cwd: string, path = process.env.PATH ?? ''): { file: string } | { problem: string } {
  if (program.includes('/')) {
    const file = isAbsolute(program) ? program : resolve(cwd, program);
    const why = notRunnable(file);
    return why === null ? { file } : { problem: `${program}: ${why}` };
  }
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const file = join(isAbsolute(dir) ? dir : resolve(cwd, dir), program);
    if (notRunnable(file) === null) return { file };
  }
  return { problem: `no program "${program}" on PATH` };
}

function notRunnable(file: string): string | null {
  try {
    if (!statSync(file).isFile()) return 'not a file';
  } catch {
    return 'no such file';
  }
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return 'not executable (chmod +x?)';
  }
  return null;
}
