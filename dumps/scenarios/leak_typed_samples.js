// Leak pattern: an audio service keeps each Int16Array of PCM frames in a history Array.
// The memory is external (8 KiB backing stores); the objects the program made are typed
// arrays, a class of V8's own (Node itself makes no Int16Array).
// Known by construction: exactly 2,500 Int16Array of 4,096 frames in `history`.
// Ends with process.abort().
'use strict';

const history = [];

function capture() {
  const frames = new Int16Array(4096);
  for (let i = 0; i < frames.length; i++) frames[i] = (i * 7919) % 32768;
  history.push(frames);
}

for (let i = 0; i < 2500; i++) capture();
globalThis.audioHistory = () => history.length;

setTimeout(() => process.abort(), 5);
