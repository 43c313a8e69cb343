import { describe, expect, test } from 'vitest';
import { ContractOptionError, contractHelpText, parseContractCommandLine } from '../../contract-tests/kit/options.ts';

const parse = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseContractCommandLine(argv, env);

describe('nimbus-sandbox contract\'s command line', () => {
  test('reads every flag, as --flag value or --flag=value', () => {
    expect(parse(['--base-url', 'http://127.0.0.1:4010', '--api-key=sk_test_1', '--junit', 'out.xml', '--only', 'orders/', '--lifecycle-timeout', '5000', '--seed', '42', '--receiver-host', '10.0.0.5', '--request-timeout', '2000'])).toEqual({
      help: false, baseUrl: 'http://127.0.0.1:4010', apiKey: 'sk_test_1', junitFile: 'out.xml', only: 'orders/', lifecycleTimeoutMs: 5000, seed: 42, receiverHost: '10.0.0.5', requestTimeoutMs: 2000,
    });
  });

  test('takes a negative seed either way, as fast-check prints them', () => {
    expect(parse(['--seed', '-1234'])).toEqual({ help: false, seed: -1234 });
    expect(parse(['--seed=-1234'])).toEqual({ help: false, seed: -1234 });
  });

  test('the environment gives defaults, a flag overrides it, and an empty variable counts as unset', () => {
    const env = { NIMBUS_BASE_URL: 'https://api-sandbox.nimbus-os.com', NIMBUS_API_KEY: 'sk_env', NIMBUS_CONTRACT_JUNIT: 'env.xml', NIMBUS_LIFECYCLE_TIMEOUT: '' };
    expect(parse([], env)).toEqual({ help: false, baseUrl: 'https://api-sandbox.nimbus-os.com', apiKey: 'sk_env', junitFile: 'env.xml' });
    expect(parse(['--junit', 'flag.xml'], env)).toMatchObject({ junitFile: 'flag.xml' });
  });

  test('--help and -h win over everything else', () => {
    expect(parse(['--seed', 'x', '-h'])).toEqual({ help: true });
    expect(parse(['--help'])).toEqual({ help: true });
  });

  test.each([
    [['--bogus'], 'unknown option --bogus; the options are --base-url, --api-key, --junit, --only, --lifecycle-timeout, --seed, --receiver-host, --request-timeout, --help'],
    [['orders/'], '"orders/" is not an option; every setting is a --flag (--base-url, --api-key, --junit, --only, --lifecycle-timeout, --seed, --receiver-host, --request-timeout, --help)'],
    [['--seed'], '--seed needs a value: --seed N'],
    [['--only', '--seed', '1'], '--only needs a value: --only PATTERN'],
    [['--seed', 'abc'], '--seed must be a whole number from -2147483648 to 2147483647, not "abc"'],
    [['--seed', '4294967296'], '--seed must be a whole number from -2147483648 to 2147483647, not 4294967296'],
    [['--lifecycle-timeout', '1.5'], '--lifecycle-timeout must be a whole number of ms from 0 to 2147483647, not "1.5"'],
    [['--base-url', 'localhost:4010'], '--base-url must be an http:// or https:// URL, such as http://127.0.0.1:4010, not "localhost:4010"'],
    [['--base-url', 'http://me:pa55word@127.0.0.1:4010'], '--base-url must be a URL without credentials (user:password@), not "http://…@127.0.0.1:4010/"'],
    [['--request-timeout', '0'], '--request-timeout must be a whole number of ms from 1 to 2147483647, not 0'],
    [['--receiver-host', 'http://host/'], '--receiver-host must be a host name or IP address, not "http://host/"'],
  ])('%j is refused: %s', (argv, message) => {
    expect(() => parse(argv)).toThrow(new ContractOptionError(message));
  });

  test('a bad environment variable is named in the message', () => {
    expect(() => parse([], { NIMBUS_LIFECYCLE_TIMEOUT: 'soon' })).toThrow(new ContractOptionError('NIMBUS_LIFECYCLE_TIMEOUT must be a whole number of ms from 0 to 2147483647, not "soon"'));
    expect(() => parse([], { NIMBUS_BASE_URL: 'api.example.com' })).toThrow(/^NIMBUS_BASE_URL must be an http:\/\/ or https:\/\/ URL/);
  });

  test('--help lists every flag with its environment variable, and the exit codes', () => {
    const help = contractHelpText();
    for (const flag of ['--base-url URL', '--api-key KEY', '--junit FILE', '--only PATTERN', '--lifecycle-timeout MS', '--seed N', '--receiver-host HOST', '--request-timeout MS', '-h, --help']) expect(help).toContain(`  ${flag}`);
    for (const variable of ['NIMBUS_BASE_URL', 'NIMBUS_API_KEY', 'NIMBUS_CONTRACT_JUNIT', 'NIMBUS_LIFECYCLE_TIMEOUT', 'NIMBUS_REQUEST_TIMEOUT']) expect(help).toContain(`(environment: ${variable})`);
    expect(help).toMatch(/Exit codes: 0 nothing failed; 1 a check failed; 2 a usage error/);
  });
});
