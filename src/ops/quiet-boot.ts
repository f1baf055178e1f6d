import { Logger, type LoggerService } from '@nestjs/common';

const SILENT: LoggerService = { log() {}, error() {}, warn() {}, debug() {}, verbose() {}, fatal() {} };

/**
 * Boots a Nest application with the framework's own messages held back: they are buffered
 * (`bufferLogs`) and go to the application's logger once it is set, as before; when boot fails
 * they are dropped instead of flushed to the console with their stack traces, and the caller
 * (`runCommand`) prints the one line that says what failed.
 */
export async function quietBoot<T>(boot: () => Promise<T>): Promise<T> {
  Logger.overrideLogger(SILENT);
  return boot();
}
