/**
 * Suffix array construction by induced sorting (SA-IS, Nong, Zhang and Chan 2009), linear in the
 * text length, over integer alphabets. A port of the AtCoder Library's `sa_is`, which needs no
 * sentinel. Symbols must lie in `[0, upper]`.
 */
export function suffixArray(s: Int32Array, upper: number): Int32Array {
  const n = s.length;
  if (n < 10) return naiveSuffixArray(s);
  const sa = new Int32Array(n);
  // ls[i] = 1 when suffix i is S-type (smaller than suffix i + 1).
  const ls = new Uint8Array(n);
  for (let i = n - 2; i >= 0; i--) ls[i] = s[i] === s[i + 1] ? ls[i + 1]! : s[i]! < s[i + 1]! ? 1 : 0;
  const sumL = new Int32Array(upper + 2);
  const sumS = new Int32Array(upper + 2);
  for (let i = 0; i < n; i++) {
    if (ls[i] === 0) sumS[s[i]!]!++;
    else sumL[s[i]! + 1]!++;
  }
  for (let i = 0; i <= upper; i++) {
    sumS[i]! += sumL[i]!;
    if (i < upper) sumL[i + 1]! += sumS[i]!;
  }
  const buf = new Int32Array(upper + 2);
  const induce = (lms: Int32Array) => {
    sa.fill(-1);
    buf.set(sumS);
    for (let i = 0; i < lms.length; i++) {
      const d = lms[i]!;
      if (d !== n) sa[buf[s[d]!]!++] = d;
    }
    buf.set(sumL);
    sa[buf[s[n - 1]!]!++] = n - 1;
    for (let i = 0; i < n; i++) {
      const v = sa[i]!;
      if (v >= 1 && ls[v - 1] === 0) sa[buf[s[v - 1]!]!++] = v - 1;
    }
    buf.set(sumL);
    for (let i = n - 1; i >= 0; i--) {
      const v = sa[i]!;
      if (v >= 1 && ls[v - 1] === 1) sa[--buf[s[v - 1]! + 1]!] = v - 1;
    }
  };

  const lmsMap = new Int32Array(n + 1).fill(-1);
  let m = 0;
  for (let i = 1; i < n; i++) if (ls[i - 1] === 0 && ls[i] === 1) lmsMap[i] = m++;
  const lms = new Int32Array(m);
  for (let i = 1, k = 0; i < n; i++) if (ls[i - 1] === 0 && ls[i] === 1) lms[k++] = i;
  induce(lms);
  if (m === 0) return sa;

  const sortedLms = new Int32Array(m);
  for (let i = 0, k = 0; i < n; i++) {
    const v = sa[i]!;
    if (v >= 0 && lmsMap[v] !== -1) sortedLms[k++] = v;
  }
  const recS = new Int32Array(m);
  let recUpper = 0;
  recS[lmsMap[sortedLms[0]!]!] = 0;
  for (let i = 1; i < m; i++) {
    let l = sortedLms[i - 1]!;
    let r = sortedLms[i]!;
    const endL = lmsMap[l]! + 1 < m ? lms[lmsMap[l]! + 1]! : n;
    const endR = lmsMap[r]! + 1 < m ? lms[lmsMap[r]! + 1]! : n;
    let same = true;
    if (endL - l !== endR - r) {
      same = false;
    } else {
      while (l < endL && s[l] === s[r]) {
        l++;
        r++;
      }
      if (l === n || s[l] !== s[r]) same = false;
    }
    if (!same) recUpper++;
    recS[lmsMap[sortedLms[i]!]!] = recUpper;
  }
  const recSa = suffixArray(recS, recUpper);
  for (let i = 0; i < m; i++) sortedLms[i] = lms[recSa[i]!]!;
  induce(sortedLms);
  return sa;
}

/** Comparison sort of the suffixes, for tiny inputs and as the tests' reference. */
export function naiveSuffixArray(s: Int32Array): Int32Array {
  const order = Array.from({ length: s.length }, (_, i) => i);
  order.sort((a, b) => {
    while (a < s.length && b < s.length) {
      if (s[a] !== s[b]) return s[a]! - s[b]!;
      a++;
      b++;
    }
    // The shorter suffix (the one that ran out) sorts first.
    return a === s.length ? -1 : 1;
  });
  return Int32Array.from(order);
}
