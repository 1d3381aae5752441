// The new-lead sound: loaded once, played at volume 0.3, at most once a second (a burst of
// leads after a reconnect plays one chime, not fifty). Muting is remembered in localStorage.

const MUTE_KEY = 'sluice.muted';

export class Notifier {
  constructor(url) {
    this.audio = new Audio(url);
    this.audio.preload = 'auto';
    this.audio.volume = 0.3;
    this.lastPlayed = 0;
    this.played = 0;
    try {
      this.muted = localStorage.getItem(MUTE_KEY) === '1';
    } catch {
      this.muted = false;
    }
  }

  setMuted(muted) {
    this.muted = muted;
    try {
      localStorage.setItem(MUTE_KEY, muted ? '1' : '0');
    } catch {
      // Storage may be disabled; the toggle still works for this page.
    }
  }

  /** Plays the chime unless muted or just played. */
  play() {
    if (this.muted) return;
    const now = performance.now();
    if (now - this.lastPlayed < 1000) return;
    this.lastPlayed = now;
    this.played += 1;
    document.documentElement.dataset.chimes = String(this.played);
    this.audio.currentTime = 0;
    const playing = this.audio.play();
    // Browsers refuse sound before the first click on a page; that is not an error.
    if (playing) playing.catch(() => {});
  }
}
