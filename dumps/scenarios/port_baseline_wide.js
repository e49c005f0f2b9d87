// A baseline (Sparkplug) frame whose bytecode has Wide-prefixed bytecodes before the call
// that aborts: 300 named stores need constant-pool indexes and feedback slots over 255, so
// the walk from pc to bytecode offset must scale operands by the prefix. Run with
// --allow-natives-syntax. Expected, as Node prints it: warm at the call of stopAt, 24:10.
'use strict';

function stopAt(n) {
  if (n === 7) process.abort();
  return n;
}

function warm(n) {
  const o = {};
  o.p0 = n; o.p1 = n; o.p2 = n; o.p3 = n; o.p4 = n; o.p5 = n; o.p6 = n; o.p7 = n; o.p8 = n; o.p9 = n; o.p10 = n; o.p11 = n; o.p12 = n; o.p13 = n; o.p14 = n; o.p15 = n; o.p16 = n; o.p17 = n; o.p18 = n; o.p19 = n; o.p20 = n; o.p21 = n; o.p22 = n; o.p23 = n; o.p24 = n; o.p25 = n; o.p26 = n; o.p27 = n; o.p28 = n; o.p29 = n;
  o.p30 = n; o.p31 = n; o.p32 = n; o.p33 = n; o.p34 = n; o.p35 = n; o.p36 = n; o.p37 = n; o.p38 = n; o.p39 = n; o.p40 = n; o.p41 = n; o.p42 = n; o.p43 = n; o.p44 = n; o.p45 = n; o.p46 = n; o.p47 = n; o.p48 = n; o.p49 = n; o.p50 = n; o.p51 = n; o.p52 = n; o.p53 = n; o.p54 = n; o.p55 = n; o.p56 = n; o.p57 = n; o.p58 = n; o.p59 = n;
  o.p60 = n; o.p61 = n; o.p62 = n; o.p63 = n; o.p64 = n; o.p65 = n; o.p66 = n; o.p67 = n; o.p68 = n; o.p69 = n; o.p70 = n; o.p71 = n; o.p72 = n; o.p73 = n; o.p74 = n; o.p75 = n; o.p76 = n; o.p77 = n; o.p78 = n; o.p79 = n; o.p80 = n; o.p81 = n; o.p82 = n; o.p83 = n; o.p84 = n; o.p85 = n; o.p86 = n; o.p87 = n; o.p88 = n; o.p89 = n;
  o.p90 = n; o.p91 = n; o.p92 = n; o.p93 = n; o.p94 = n; o.p95 = n; o.p96 = n; o.p97 = n; o.p98 = n; o.p99 = n; o.p100 = n; o.p101 = n; o.p102 = n; o.p103 = n; o.p104 = n; o.p105 = n; o.p106 = n; o.p107 = n; o.p108 = n; o.p109 = n; o.p110 = n; o.p111 = n; o.p112 = n; o.p113 = n; o.p114 = n; o.p115 = n; o.p116 = n; o.p117 = n; o.p118 = n; o.p119 = n;
  o.p120 = n; o.p121 = n; o.p122 = n; o.p123 = n; o.p124 = n; o.p125 = n; o.p126 = n; o.p127 = n; o.p128 = n; o.p129 = n; o.p130 = n; o.p131 = n; o.p132 = n; o.p133 = n; o.p134 = n; o.p135 = n; o.p136 = n; o.p137 = n; o.p138 = n; o.p139 = n; o.p140 = n; o.p141 = n; o.p142 = n; o.p143 = n; o.p144 = n; o.p145 = n; o.p146 = n; o.p147 = n; o.p148 = n; o.p149 = n;
  o.p150 = n; o.p151 = n; o.p152 = n; o.p153 = n; o.p154 = n; o.p155 = n; o.p156 = n; o.p157 = n; o.p158 = n; o.p159 = n; o.p160 = n; o.p161 = n; o.p162 = n; o.p163 = n; o.p164 = n; o.p165 = n; o.p166 = n; o.p167 = n; o.p168 = n; o.p169 = n; o.p170 = n; o.p171 = n; o.p172 = n; o.p173 = n; o.p174 = n; o.p175 = n; o.p176 = n; o.p177 = n; o.p178 = n; o.p179 = n;
  o.p180 = n; o.p181 = n; o.p182 = n; o.p183 = n; o.p184 = n; o.p185 = n; o.p186 = n; o.p187 = n; o.p188 = n; o.p189 = n; o.p190 = n; o.p191 = n; o.p192 = n; o.p193 = n; o.p194 = n; o.p195 = n; o.p196 = n; o.p197 = n; o.p198 = n; o.p199 = n; o.p200 = n; o.p201 = n; o.p202 = n; o.p203 = n; o.p204 = n; o.p205 = n; o.p206 = n; o.p207 = n; o.p208 = n; o.p209 = n;
  o.p210 = n; o.p211 = n; o.p212 = n; o.p213 = n; o.p214 = n; o.p215 = n; o.p216 = n; o.p217 = n; o.p218 = n; o.p219 = n; o.p220 = n; o.p221 = n; o.p222 = n; o.p223 = n; o.p224 = n; o.p225 = n; o.p226 = n; o.p227 = n; o.p228 = n; o.p229 = n; o.p230 = n; o.p231 = n; o.p232 = n; o.p233 = n; o.p234 = n; o.p235 = n; o.p236 = n; o.p237 = n; o.p238 = n; o.p239 = n;
  o.p240 = n; o.p241 = n; o.p242 = n; o.p243 = n; o.p244 = n; o.p245 = n; o.p246 = n; o.p247 = n; o.p248 = n; o.p249 = n; o.p250 = n; o.p251 = n; o.p252 = n; o.p253 = n; o.p254 = n; o.p255 = n; o.p256 = n; o.p257 = n; o.p258 = n; o.p259 = n; o.p260 = n; o.p261 = n; o.p262 = n; o.p263 = n; o.p264 = n; o.p265 = n; o.p266 = n; o.p267 = n; o.p268 = n; o.p269 = n;
  o.p270 = n; o.p271 = n; o.p272 = n; o.p273 = n; o.p274 = n; o.p275 = n; o.p276 = n; o.p277 = n; o.p278 = n; o.p279 = n; o.p280 = n; o.p281 = n; o.p282 = n; o.p283 = n; o.p284 = n; o.p285 = n; o.p286 = n; o.p287 = n; o.p288 = n; o.p289 = n; o.p290 = n; o.p291 = n; o.p292 = n; o.p293 = n; o.p294 = n; o.p295 = n; o.p296 = n; o.p297 = n; o.p298 = n; o.p299 = n;
  return stopAt(n) + o.p299;
}

%NeverOptimizeFunction(stopAt);
%NeverOptimizeFunction(warm);
%CompileBaseline(warm);
warm(1);
warm(7);
