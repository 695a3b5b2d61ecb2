// A seeded PRNG (mulberry32): the same seed gives the same faults, targets, pauses and flags.
export const createRng = (seed) => {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  next.between = (min, max) => Math.round(min + next() * (max - min));
  next.pick = (list) => list[Math.floor(next() * list.length)];
  next.shuffle = (list) => {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy;
  };
  return next;
};

export const randomSeed = () => Math.floor(Math.random() * 2 ** 31);
