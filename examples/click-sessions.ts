import { EventTimeSessionWindows, OutputTag, WatermarkStrategy, defineJob, type TimeWindow } from '@rivulet/api';

interface Click {
  readonly user: string;
  readonly page: string;
  /** Event time: when the user clicked (ms). */
  readonly at: number;
}

interface Session {
  readonly user: string;
  readonly start: number;
  readonly end: number;
  readonly clicks: number;
  readonly pages: string[];
}

/**
 * Sessions per user over a generated click stream, by event time. Clicks
 * arrive up to 2 s out of order, and one in 500 arrives minutes late; a
 * session ends after 30 s without clicks. Late clicks still update their
 * session for 10 s after it closed (allowed lateness, the session is emitted
 * again); later ones go to a side output instead of being lost.
 *
 *   pnpm rivulet run examples/click-sessions.ts [-- --clicks N --output DIR]
 *
 * Sessions go to DIR/sessions, late clicks to DIR/late (text files, one per
 * subtask, committed at each checkpoint and at the end).
 */
export default defineJob(
  (env) => {
    const clicks = Number(env.getParameter('clicks', '200000'));
    const output = env.getParameter('output', '.rivulet/output/click-sessions');
    const pages = ['/', '/search', '/item', '/cart', '/checkout'];
    const late = new OutputTag<Click>('late-clicks');
    const sessions = env
      .fromSequence(0, clicks - 1)
      .map((i): Click => {
        const user = `user-${(i * 7919) % 97}`;
        // ~100 clicks per second, a pause of a minute after every 3,000 (sessions end), a jitter of up to 2 s, and 1 in 500 delayed by 3 minutes.
        const at = 1_700_000_000_000 + i * 10 + Math.floor(i / 3000) * 60_000 - ((i * 31) % 2000) - (i % 500 === 0 ? 180_000 : 0);
        return { user, page: pages[i % pages.length]!, at };
      })
      .assignTimestampsAndWatermarks(WatermarkStrategy.forBoundedOutOfOrderness<Click>(2_000).withTimestampAssigner((click) => click.at))
      .keyBy((click) => click.user)
      .window(EventTimeSessionWindows.withGap<Click>(30_000))
      .allowedLateness(10_000)
      .sideOutputLateData(late)
      .process<Session>((user, ctx, elements, out) => {
        const window = ctx.window() as TimeWindow;
        out.collect({ user, start: window.start, end: window.end, clicks: elements.length, pages: [...new Set(elements.map((c) => c.page))] });
      })
      .name('Sessions');
    sessions.writeAsText(`${output}/sessions`);
    sessions.getSideOutput(late).writeAsText(`${output}/late`);
  },
  { name: 'click-sessions' },
);
