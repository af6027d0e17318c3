/**
 * The names of finished part files (Flink's OutputFileConfig):
 * `<partPrefix>-<writer uuid>-<subtask>-<counter><partSuffix>`, by default
 * `part-…` with no suffix. Built with `OutputFileConfig.builder()` or given
 * as `{ partPrefix, partSuffix }`.
 */
export class OutputFileConfig {
  private constructor(
    readonly partPrefix: string,
    readonly partSuffix: string,
  ) {}

  static builder(): OutputFileConfigBuilder {
    return new OutputFileConfigBuilder('part', '');
  }

  /** Checked: a TypeError names the part that cannot be in a file name. */
  static of(config: { readonly partPrefix?: string; readonly partSuffix?: string }): OutputFileConfig {
    const prefix = config.partPrefix ?? 'part';
    const suffix = config.partSuffix ?? '';
    if (typeof prefix !== 'string' || prefix === '' || prefix.startsWith('.') || /[/\\\0]/.test(prefix)) {
      throw new TypeError(`OutputFileConfig: part prefix ${JSON.stringify(prefix)} must be a non-empty file name part without "/" that does not start with "." (hidden names are in-progress files)`);
    }
    if (typeof suffix !== 'string' || /[/\\\0]/.test(suffix)) throw new TypeError(`OutputFileConfig: part suffix ${JSON.stringify(suffix)} must be a file name part without "/"`);
    return new OutputFileConfig(prefix, suffix);
  }
}

export class OutputFileConfigBuilder {
  constructor(
    private readonly prefix: string,
    private readonly suffix: string,
  ) {}

  withPartPrefix(prefix: string): OutputFileConfigBuilder {
    return new OutputFileConfigBuilder(prefix, this.suffix);
  }

  withPartSuffix(suffix: string): OutputFileConfigBuilder {
    return new OutputFileConfigBuilder(this.prefix, suffix);
  }

  build(): OutputFileConfig {
    return OutputFileConfig.of({ partPrefix: this.prefix, partSuffix: this.suffix });
  }
}
