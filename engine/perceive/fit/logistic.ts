/**
 * Weighted logistic regression with an L2 penalty (not on the bias), fitted by Newton's method
 * (iteratively reweighted least squares). Small and exact for the few features fusion has;
 * deterministic for the same data.
 */
export interface Sample {
  x: number[];
  y: number;
  w: number;
}

export interface Fitted {
  bias: number;
  weights: number[];
  iterations: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Solves A·v = b (A symmetric positive definite) by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] as number]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++)
      if (Math.abs((m[r] as number[])[c] as number) > Math.abs((m[p] as number[])[c] as number)) p = r;
    [m[c], m[p]] = [m[p] as number[], m[c] as number[]];
    const pivot = (m[c] as number[])[c] as number;
    if (Math.abs(pivot) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = ((m[r] as number[])[c] as number) / pivot;
      if (f === 0) continue;
      for (let k = c; k <= n; k++)
        (m[r] as number[])[k] = ((m[r] as number[])[k] as number) - f * ((m[c] as number[])[k] as number);
    }
  }
  return m.map((row, i) => {
    const d = row[i] as number;
    return Math.abs(d) < 1e-12 ? 0 : (row[n] as number) / d;
  });
}

export function fitLogistic(samples: readonly Sample[], dims: number, l2 = 1, maxIter = 50): Fitted {
  const n = dims + 1; // bias last
  let beta = new Array(n).fill(0);
  let it = 0;
  for (; it < maxIter; it++) {
    const grad = new Array(n).fill(0);
    const hess = Array.from({ length: n }, () => new Array(n).fill(0));
    for (const s of samples) {
      const xs = [...s.x, 1];
      const z = xs.reduce((acc, v, i) => acc + v * (beta[i] as number), 0);
      const p = sigmoid(z);
      const g = s.w * (p - s.y);
      const h = s.w * Math.max(p * (1 - p), 1e-9);
      for (let i = 0; i < n; i++) {
        grad[i] += g * (xs[i] as number);
        if (xs[i] === 0) continue;
        for (let j = 0; j < n; j++)
          (hess[i] as number[])[j] = ((hess[i] as number[])[j] as number) + h * (xs[i] as number) * (xs[j] as number);
      }
    }
    for (let i = 0; i < dims; i++) {
      grad[i] += l2 * (beta[i] as number);
      (hess[i] as number[])[i] = ((hess[i] as number[])[i] as number) + l2;
    }
    (hess[dims] as number[])[dims] = ((hess[dims] as number[])[dims] as number) + 1e-6;
    const step = solve(hess, grad);
    beta = beta.map((b, i) => b - (step[i] as number));
    if (Math.max(...step.map(Math.abs)) < 1e-8) break;
  }
  return { bias: beta[dims] as number, weights: beta.slice(0, dims), iterations: it + 1 };
}

export function predict(f: Pick<Fitted, 'bias' | 'weights'>, x: readonly number[]): number {
  return sigmoid(f.bias + x.reduce((acc, v, i) => acc + v * (f.weights[i] as number), 0));
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), for bootstrap draws and synthetic data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
