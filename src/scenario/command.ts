import { Option, type Command } from 'commander';
import { EXIT, ExitError, type ExitCode } from '../cli/errors.js';
import * as parse from '../cli/options.js';

const examples = (...lines: string[]): string => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

/**
 * Registers `raft-check scenario`: the classic Raft lab tests as deterministic scenarios in
 * virtual time. The action is lazy-imported, so `--help` loads no scenario code.
 *
 * The exit code goes through `setExit` when the program passes one; without it a failure
 * ends with an `ExitError` carrying exit code 1 and no extra message.
 */
export function registerScenarioCommand(program: Command, setExit?: (code: ExitCode) => void): void {
  program
    .command('scenario')
    .description('run the classic Raft lab tests as deterministic scenarios in virtual time')
    .argument('[name]', 'the scenario to run (see --list)')
    .option('--list', 'list the scenarios and what each asserts', false)
    .option('--all', 'run every scenario', false)
    .addOption(new Option('--seed <n>', 'the first seed, an integer or "random"').argParser(parse.seed).default(1))
    .addOption(new Option('--seeds <k>', 'run K seeds from --seed on (a test run many times to catch a rare failure)').argParser(parse.integer(1, 1_000_000)).default(1))
    .addOption(new Option('--bug <name>', 'run our core with a built-in bug (see raft-check bugs)').argParser(parse.bug).conflicts('impl'))
    .addOption(new Option('--impl <path>', 'check your own implementation: a .js/.mjs/.ts module exporting a node factory'))
    .addOption(new Option('--out <dir>', 'directory for the traces of failing scenarios').default('traces'))
    .option('--json', 'print one JSON object on stdout, nothing else', false)
    .addHelpText(
      'after',
      examples(
        'raft-check scenario --list',
        'raft-check scenario figure8-unreliable --seeds 100',
        'raft-check scenario --all',
        'raft-check scenario persist-2 --impl ./my-raft.mjs --seed 7',
        'raft-check scenario figure8 --bug commit-previous-term --seeds 100',
      ) +
        '\nNodes are numbered 1..n (the lab numbers servers 0..n-1). A failing run writes\n' +
        'DIR/scenario-NAME-seedN.json; `raft-check replay` re-runs it.\n' +
        '\nExit codes: 0 every run passed, 1 a scenario failed, 2 usage error.\n',
    )
    .action(async (name: string | undefined, opts) => {
      const { scenarioCommand } = await import('./action.js');
      const code = await scenarioCommand(name, opts);
      if (setExit !== undefined) setExit(code);
      else if (code !== EXIT.ok) throw new ExitError(code, '');
    });
}
