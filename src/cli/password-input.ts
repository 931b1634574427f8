import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CommandProblem, describeFsError } from './startup-errors.js';
import { UsageError } from './options.js';

/** Where `register-user` takes the password from: at most one of its password options. */
export interface PasswordOptions {
  password?: string | undefined;
  'password-file'?: string | undefined;
  'password-stdin'?: boolean | undefined;
}

export interface ChosenPassword {
  password: string;
  /** True when Hearth made it up (and must show it once). */
  generated: boolean;
}

/**
 * The password from `--password`, `--password-file`, `--password-stdin`, else a hidden prompt
 * when standard input is a terminal (empty answer: a random one), else a random one.
 * `minLength`: a generated password is never shorter than the configured minimum.
 */
export async function choosePassword(options: PasswordOptions, minLength: number): Promise<ChosenPassword> {
  checkPasswordOptions(options);
  if (options.password !== undefined) return { password: options.password, generated: false };
  if (options['password-file'] !== undefined) return { password: await fromFile(options['password-file']), generated: false };
  if (options['password-stdin']) return { password: oneLine(await readAll(process.stdin), 'standard input'), generated: false };
  if (process.stdin.isTTY) {
    const password = await promptHidden('Password (empty for a random one): ');
    if (password !== '') {
      if ((await promptHidden('Password again: ')) !== password) throw new CommandProblem('the passwords differ; nothing was created');
      return { password, generated: false };
    }
  }
  // At least 16 characters of base64url (96 bits), longer when the configured minimum asks for it.
  return { password: randomBytes(Math.ceil((Math.max(16, minLength) * 3) / 4)).toString('base64url'), generated: true };
}

/** Throws a UsageError when more than one password option is given. */
export function checkPasswordOptions(options: PasswordOptions): void {
  const given = [options.password !== undefined, options['password-file'] !== undefined, options['password-stdin'] === true];
  if (given.filter(Boolean).length > 1) throw new UsageError('give only one of --password, --password-file and --password-stdin');
}

async function fromFile(file: string): Promise<string> {
  try {
    return oneLine(await readFile(file, 'utf8'), file);
  } catch (err) {
    if (err instanceof CommandProblem) throw err;
    throw new CommandProblem(`cannot read the password file ${file}: ${describeFsError((err as NodeJS.ErrnoException).code)}`);
  }
}

/** The text without its final line break; more than one line, or none, is refused. */
function oneLine(text: string, from: string): string {
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new CommandProblem(`${from} holds no password`);
  if (/[\r\n]/.test(password)) throw new CommandProblem(`${from} holds more than one line; put the password alone on the first line`);
  return password;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/**
 * Asks on the terminal without echoing what is typed (the prompt goes to standard error, so that
 * standard output stays the command's result). Ctrl-C ends the process as it would anywhere else.
 */
function promptHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve, reject) => {
    let text = '';
    const finish = () => {
      input.removeListener('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          finish();
          resolve(text);
          return;
        }
        if (ch === '\u0003') {
          // Raw mode turned Ctrl-C into a character: deliver the signal the terminal would have sent.
          finish();
          process.kill(process.pid, 'SIGINT');
          return;
        }
        if (ch === '\u0004' && text === '') {
          finish();
          reject(new CommandProblem('no password given; nothing was created'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') text = [...text].slice(0, -1).join('');
        else if (ch >= ' ') text += ch;
      }
    };
    input.on('data', onData);
  });
}
