import { Command, Option } from 'commander';
import { VERSION } from '../version.js';
import { UsageError, type ExitCode } from './errors.js';
import * as parse from './options.js';
import { DEFAULT_OUT } from './out-dir.js';

/**
 * The commander program. Options and help live here so `--help` needs no command module;
 * each action lazy-imports its command and returns an exit code.
 *
 * Adding a command: write `src/cli/commands/NAME.ts` exporting the action, and add a
 * `register` function to COMMANDS below (help lists them in that order).
 */
export type SetExit = (code: ExitCode) => void;
type Register = (program: Command, setExit: SetExit) => void;

/**
 * `--hang-timeout` watches code the user names; given without --impl or --exec it would do
 * nothing, and a flag that silently does nothing misleads.
 */
function hangTimeoutNeedsCode(cmd: Command, opts: { impl?: string; exec?: string }): void {
  if (cmd.getOptionValueSource('hangTimeout') === 'cli' && opts.impl === undefined && opts.exec === undefined) {
    throw new UsageError(`${cmd.name()} --hang-timeout: applies only to an implementation named with --impl or --exec (our core needs no watchdog)`);
  }
}

const examples = (...lines: string[]): string => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;

const registerRun: Register = (program, setExit) => {
  program
    .command('run')
    .description('explore random fault schedules; on a violation, shrink it and write a replayable trace')
    .addOption(new Option('--nodes <n>', `cluster size, ${parse.NODES_MIN} to ${parse.NODES_MAX}`).argParser(parse.integer(parse.NODES_MIN, parse.NODES_MAX)).default(5))
    .addOption(new Option('--iterations <n>', 'schedules to try (fast-check runs)').argParser(parse.integer(1, 100_000_000)).default(1000))
    .addOption(new Option('--seed <n>', 'fast-check seed, an integer or "random"; same seed, same schedules').argParser(parse.seed).default(1))
    .addOption(new Option('--faults <profile>', `fault profile: ${parse.PROFILE_NAMES.join(', ')}`).argParser(parse.profile).default('chaos'))
    .addOption(new Option('--bug <name>', 'run our core with a built-in bug (see raft-check bugs)').argParser(parse.bug).conflicts('impl'))
    .addOption(new Option('--impl <path>', 'check your own implementation: a .js/.mjs/.ts module exporting a node factory'))
    .addOption(new Option('--exec <command>', "check an implementation in any language: a command speaking raft-check's protocol on stdin/stdout (docs/protocol.md)").conflicts(['impl', 'bug']))
    .addOption(new Option('--out <dir>', 'directory for counterexample traces (an existing trace is never replaced: NAME-2.json, ...)').default(DEFAULT_OUT))
    .addOption(new Option('--workers <n>', 'worker threads sharing the iterations').argParser(parse.integer(1, 64)).default(1))
    .addOption(new Option('--shard <i/n>', 'run only the i-th of n disjoint parts of the iterations (CI matrices)').argParser(parse.shard))
    .addOption(new Option('--shrink-time <seconds>', 'wall-clock budget for shrinking a violation (0: do not shrink)').argParser(parse.seconds).default(30))
    .addOption(new Option('--hang-timeout <seconds>', 'with --impl or --exec: a run (with --exec, one request) that takes longer is reported as implementation-hang').argParser(parse.seconds).default(10))
    .option('--no-snapshots', 'keep log compaction off (by default schedules may turn it on)')
    .option('--json', 'print one JSON object on stdout at the end, nothing else', false)
    .option('--text', 'plain progress lines even on a terminal', false)
    .option('--html', 'write an HTML space-time report beside each trace (<trace>.html)', false)
    .addOption(new Option('--strategy <name>', `how schedules are chosen: ${parse.STRATEGIES.join(', ')} (see "Systematic exploration" in the README)`).argParser(parse.strategy).default('random'))
    .addOption(new Option('--max-steps <n>', `pct: steps per run (default ${parse.PCT_DEFAULTS.steps}); exhaustive: steps per path (default ${parse.EXHAUSTIVE_DEFAULTS.steps})`).argParser(parse.integer(1, 10_000)))
    .addOption(new Option('--depth <d>', `pct: the bug depth, d-1 priority change points per run (default ${parse.PCT_DEFAULTS.depth})`).argParser(parse.integer(1, 100)))
    .addOption(new Option('--max-crashes <n>', 'pct, exhaustive: crashes per run or path').argParser(parse.integer(0, 1000)))
    .addOption(new Option('--max-drops <n>', 'pct, exhaustive: lost messages per run or path').argParser(parse.integer(0, 1000)))
    .addOption(new Option('--max-duplicates <n>', 'pct, exhaustive: duplicated messages per run or path').argParser(parse.integer(0, 1000)))
    .addOption(new Option('--max-proposals <n>', 'pct, exhaustive: client commands per run or path').argParser(parse.integer(0, 1000)))
    .addOption(new Option('--max-term <n>', `exhaustive: a path ends where a node's term would pass this (default ${parse.EXHAUSTIVE_DEFAULTS.terms})`).argParser(parse.integer(1, 1000)))
    .addOption(new Option('--max-messages <n>', `exhaustive: messages sent per path (default ${parse.EXHAUSTIVE_DEFAULTS.messages})`).argParser(parse.integer(0, 100_000)))
    .addOption(new Option('--time <seconds>', 'pct, exhaustive: stop after this long (0: no limit); a stopped search is not a pass').argParser(parse.seconds).default(0))
    .option('--no-reduction', 'exhaustive: no partial-order reduction (to measure what it saves)')
    .addHelpText(
      'after',
      examples(
        'raft-check run --nodes 5 --iterations 1000',
        'raft-check run --bug commit-previous-term',
        'raft-check run --impl ./my-raft.mjs --iterations 5000 --workers 2',
        "raft-check run --exec 'python3 adapters/python/adapter.py' --iterations 200",
        'raft-check run --seed random --faults partitions',
        'raft-check run --iterations 20000 --shard 2/4 --json    # 2nd of 4 CI jobs',
        'raft-check run --strategy exhaustive --nodes 3 --bug double-vote --max-steps 8',
        'raft-check run --strategy pct --nodes 3 --bug split-hard-state --iterations 10000 --depth 3',
      ) + '\nExit codes: 0 no violation (exhaustive: every path within the bounds searched), 1 violation found,\n            2 usage error, 4 exhaustive or pct stopped by --time before the end, 130 interrupted.\n',
    )
    .action(async (opts, cmd: Command) => {
      hangTimeoutNeedsCode(cmd, opts);
      if (opts.strategy !== 'random') {
        const { systematicCommand } = await import('./commands/systematic.js');
        setExit(await systematicCommand(opts, (name) => cmd.getOptionValueSource(name) === 'cli'));
        return;
      }
      const { randomOnly } = await import('./strategy-flags.js');
      randomOnly((name) => cmd.getOptionValueSource(name) === 'cli');
      const { runCommand } = await import('./commands/run.js');
      setExit(await runCommand(opts));
    });
};

const registerReplay: Register = (program, setExit) => {
  program
    .command('replay')
    .description('re-execute a trace and report whether it reproduces (an interactive viewer on a terminal)')
    .argument('<file>', 'a trace file written by raft-check run')
    .option('--json', 'print one JSON object on stdout', false)
    .option('--text', 'print the trace as text lines even on a terminal', false)
    .option('--html <file>', 'write a self-contained HTML space-time report of the trace to <file>')
    .addOption(new Option('--bug <name>', 'replay against our core with this bug instead of the recorded implementation').argParser(parse.bug).conflicts('impl'))
    .addOption(new Option('--impl <path>', 'replay against this module instead of the recorded implementation'))
    .addOption(new Option('--exec <command>', 'replay against this command (docs/protocol.md); needed to replay a trace recorded with --exec').conflicts(['impl', 'bug']))
    .addOption(new Option('--hang-timeout <seconds>', 'with --impl or --exec: a replay (with --exec, one request) that takes longer counts as a hang').argParser(parse.seconds).default(10))
    .addHelpText(
      'after',
      examples(
        'raft-check replay traces/state-machine-safety-seed1.json',
        'raft-check replay traces/election-safety-seed7.json --text | less',
        'raft-check replay trace.json --impl ./my-raft-fixed.mjs    # does the fix hold?',
        "raft-check replay trace.json --exec './my-raft --adapter'  # a trace recorded with --exec",
        'raft-check replay trace.json --html report.html            # a page to attach to a bug report',
      ) + '\nExit codes: 0 replayed clean, 1 reproduced a violation, 2 unreadable or invalid trace, 3 diverged.\n',
    )
    .action(async (file: string, opts, cmd: Command) => {
      hangTimeoutNeedsCode(cmd, opts);
      const { replayCommand } = await import('./commands/replay.js');
      setExit(await replayCommand(file, opts));
    });
};

const registerShrink: Register = (program, setExit) => {
  program
    .command('shrink')
    .description('shrink an existing trace further and write <name>.shrunk.json beside it')
    .argument('<file>', 'a trace with a violation')
    .addOption(new Option('--time <seconds>', 'wall-clock budget').argParser(parse.seconds).default(30))
    .addOption(new Option('--bug <name>', 'use our core with this bug instead of the recorded implementation').argParser(parse.bug).conflicts('impl'))
    .addOption(new Option('--impl <path>', 'use this module instead of the recorded implementation'))
    .addOption(new Option('--exec <command>', 'use this command (docs/protocol.md); needed for a trace recorded with --exec').conflicts(['impl', 'bug']))
    .addOption(new Option('--hang-timeout <seconds>', 'with --impl or --exec: a run, an import or a request that takes longer counts as a hang').argParser(parse.seconds).default(10))
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', examples('raft-check shrink traces/state-machine-safety-seed1.json', 'raft-check shrink trace.json --time 120'))
    .action(async (file: string, opts, cmd: Command) => {
      hangTimeoutNeedsCode(cmd, opts);
      const { shrinkCommand } = await import('./commands/shrink.js');
      setExit(await shrinkCommand(file, opts));
    });
};

const registerBugs: Register = (program, setExit) => {
  program
    .command('bugs')
    .description('list the built-in bugs and the invariant each one breaks')
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', examples('raft-check bugs', 'raft-check run --bug double-vote'))
    .action(async (opts) => {
      const { bugsCommand } = await import('./commands/bugs.js');
      setExit(bugsCommand(opts));
    });
};

const registerBench: Register = (program, setExit) => {
  program
    .command('bench')
    .description('measure simulator throughput, how fast each built-in bug is found (--bugs), start-up time (--startup) or worker scaling (--workers)')
    .option('--bugs', 'bug-finding benchmark: every built-in bug over several seeds', false)
    .option('--memory', 'heap before and after many runs (leak check)', false)
    .addOption(new Option('--startup', 'start-up wall time of --help and a one-iteration run, against node -e 0').default(false).conflicts(['bugs', 'memory']))
    .addOption(new Option('--workers', "run's exploration on one worker thread and on two: runs/s and the speedup").default(false).conflicts(['bugs', 'memory', 'startup']))
    .addOption(new Option('--seconds <n>', 'throughput: how long to run').argParser(parse.seconds).default(5))
    .addOption(new Option('--seeds <n>', '--bugs: seeds per bug').argParser(parse.integer(1, 1000)).default(5))
    .addOption(new Option('--iterations <n>', '--bugs: iteration budget per search; --memory: runs; --startup: starts of each command (10); --workers: iterations (1000)').argParser(parse.integer(1, 100_000_000)))
    .addOption(new Option('--shrink-time <seconds>', '--bugs: shrink budget per violation').argParser(parse.seconds).default(30))
    .addOption(new Option('--bug <name>', '--bugs: only this bug').argParser(parse.bug))
    .addOption(new Option('--nodes <n>', `--bugs: cluster size, ${parse.NODES_MIN} to ${parse.NODES_MAX}`).argParser(parse.integer(parse.NODES_MIN, parse.NODES_MAX)).default(5))
    .addOption(new Option('--exhaustive-time <seconds>', "--bugs: budget of each bug's exhaustive search for its shortest counterexample (0: skip)").argParser(parse.seconds).default(10))
    .addOption(new Option('--exec <command>', 'throughput of an implementation over the protocol (docs/protocol.md), and its ratio to our core in-process').conflicts(['bugs', 'memory', 'startup', 'workers']))
    .addOption(new Option('--hang-timeout <seconds>', 'with --exec: a request that takes longer stops the benchmark').argParser(parse.seconds).default(10))
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText('after', examples('raft-check bench', 'raft-check bench --json', 'raft-check bench --bugs --seeds 3 --shrink-time 10', 'raft-check bench --memory --iterations 2000', 'raft-check bench --startup', 'raft-check bench --workers --iterations 2000', "raft-check bench --exec 'node adapters/core/adapter.mjs'"))
    .action(async (opts, cmd: Command) => {
      hangTimeoutNeedsCode(cmd, opts);
      const { benchCommand } = await import('./commands/bench.js');
      setExit(await benchCommand(opts));
    });
};

const registerScenario: Register = (program, setExit) => {
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
    .addOption(new Option('--exec <command>', "check an implementation in any language: a command speaking raft-check's protocol on stdin/stdout (docs/protocol.md)").conflicts(['impl', 'bug']))
    .addOption(new Option('--hang-timeout <seconds>', 'with --impl or --exec: a scenario run (with --exec, one request) that takes longer is reported as implementation-hang').argParser(parse.seconds).default(10))
    .addOption(new Option('--shrink-time <seconds>', "wall-clock budget for shrinking each scenario's first safety failure to a script (0: do not shrink)").argParser(parse.seconds).default(10))
    .addOption(new Option('--out <dir>', 'directory for the traces of failing scenarios (an existing trace is never replaced)').default(DEFAULT_OUT))
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
    .action(async (name: string | undefined, opts, cmd: Command) => {
      hangTimeoutNeedsCode(cmd, opts);
      const { scenarioCommand } = await import('./commands/scenario.js');
      setExit(await scenarioCommand(name, opts));
    });
};

const registerConform: Register = (program, setExit) => {
  program
    .command('conform')
    .description("check an adapter against raft-check's stdin/stdout protocol (docs/protocol.md) before checking Raft with it")
    .addOption(new Option('--exec <command>', 'the adapter: a command line, split like a shell splits it, run without a shell'))
    .addOption(new Option('--hang-timeout <seconds>', 'a request that takes longer is reported as implementation-hang').argParser(parse.seconds).default(10))
    .option('--json', 'print one JSON object on stdout', false)
    .addHelpText(
      'after',
      examples("raft-check conform --exec 'python3 adapters/python/adapter.py'", "raft-check conform --exec './my-raft --adapter' --json") +
        '\nExit codes: 0 every check passed, 1 a check failed, 2 usage error (the command cannot be started).\n',
    )
    .action(async (opts) => {
      const { conformCommand } = await import('./commands/conform.js');
      setExit(await conformCommand(opts));
    });
};

const COMMANDS: readonly Register[] = [registerRun, registerScenario, registerReplay, registerShrink, registerConform, registerBugs, registerBench];

/**
 * Commander's error text as one line: "option '--nodes <n>' argument '0' is invalid. expected
 * ..." becomes "--nodes 0: expected ...", and a "(Did you mean ...)" joins the line.
 */
export function oneLine(str: string): string {
  const s = str.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ');
  const m = /^option '(-[^\s',]*[, ]*)*(--[\w-]+)[^']*' argument '(.*)' is invalid\. (.*)$/.exec(s);
  return m === null ? s : `${m[2]} ${m[3]}: ${m[4]}`;
}

export function buildProgram(setExit: SetExit, write: { out: (s: string) => void; err: (s: string) => void }): Command {
  const program = new Command('raft-check');
  program
    .description('Deterministic chaos and model checking for Raft implementations')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: write.out,
      writeErr: write.err,
      // Commander's usage errors, one line: "raft-check: unknown option '--nodez' (Did you mean --nodes?)".
      outputError: (str, w) => w(`raft-check: ${oneLine(str)}\n`),
    })
    .exitOverride()
    .addHelpText(
      'after',
      examples(
        'raft-check run --nodes 5 --iterations 1000',
        'raft-check run --bug commit-previous-term',
        'raft-check replay traces/state-machine-safety-seed1.json',
        'raft-check run --impl ./my-raft.mjs',
        'raft-check bugs',
      ) + '\nExit codes: 0 ok, 1 violation found or reproduced, 2 usage error or invalid input, 3 replay diverged,\n            70 internal error, 130 interrupted.\n',
    );
  for (const register of COMMANDS) register(program, setExit);
  return program;
}
