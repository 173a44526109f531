// ssh2 is CommonJS; this is its one import site, so the rest of the tunnel code uses plain names.
import ssh2 from 'ssh2';

export const { Client, utils } = ssh2;
export type {
  AnyAuthMethod,
  AuthHandlerMiddleware,
  ClientChannel,
  ConnectConfig,
  ParsedKey,
  ServerHostKeyAlgorithm,
} from 'ssh2';
export type SshClient = InstanceType<typeof Client>;
