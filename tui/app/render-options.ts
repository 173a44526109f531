import type { RenderOptions } from 'ink';

/**
 * How the app has Ink draw it: runTui and bench/tui-render.tsx both render with these, so that the
 * bench measures what a terminal gets.
 *
 * `maxFps`: Ink throttles frames to this (30 by default), and its throttle restarts the wait on a
 * frame that falls due inside the window: at 30, a key typed just after a frame waits 33 ms for its
 * echo (two frames at 60 Hz), which a burst of messages makes the common case. At 60 the wait is 17
 * ms. Server events are drawn at most once per 16 ms by the app itself (useChat), so this adds few
 * frames; at 120 the frames doubled for no steadier echo (bench/README.md).
 *
 * `incrementalRendering` stays off: in Ink 6.8 it puts each frame that ends in a newline (every
 * frame here, one row shorter than the terminal) one row below the last, so the screen fills with
 * copies of the header and status lines. Ink draws the whole frame either way; writing only the
 * changed lines would save the terminal's work, not ours.
 */
export const inkRenderOptions = {
  maxFps: 60,
  incrementalRendering: false,
} satisfies RenderOptions;
