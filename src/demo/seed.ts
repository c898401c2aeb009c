import type { App } from '../app.js';
import { buildModules } from '../app.js';
import type { Actor } from '../platform/auth/actor.js';
import { ManualClock } from '../platform/clock.js';
import { claimOnce } from '../platform/db/markers.js';
import { EventBus } from '../platform/events/event-bus.js';

export interface SeedSummary {
  members: number;
  communities: number;
  scenes: number;
  needs: number;
  supports: number;
  solutions: number;
  comments: number;
  ballots: number;
  bids: number;
  products: number;
  campaigns: number;
  orders: number;
  lots: number;
}

/** The demo accounts' credentials (documented in the README). */
export const DEMO_OPERATOR = { email: 'operator@covalue.demo', password: 'covalue-demo-operator', displayName: '运营小薇' };
export const DEMO_MEMBER_PASSWORD = 'covalue-demo-member';
/** The demo story starts this many days before "now", so needs have a history. */
const STORY_DAYS = 120;
const MEMBERS = 320;

/** mulberry32: a tiny seeded generator, so the story is the same on every run. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = [
  '小明',
  '晓红',
  '丽娜',
  '建国',
  '子涵',
  '雨桐',
  '浩然',
  '思远',
  '欣怡',
  '佳怡',
  '俊杰',
  '梓萱',
  '一诺',
  '宇轩',
  '诗涵',
  '明轩',
  '可馨',
  '天佑',
  '雅静',
  '志强',
  '婷婷',
  '海燕',
  '晨曦',
  '若曦',
  '博文',
  '家豪',
  '静怡',
  '梦琪',
  '嘉懿',
  '睿',
];

/**
 * Which of two makers ships each order: alternately, then orders moved (or two swapped) until each
 * ships exactly the units it was awarded — a maker's lots hold no more than its bid's award.
 */
function shareOrders(quantities: readonly number[], awarded: readonly [number, number]): number[] {
  const who = quantities.map((_, i) => i % 2);
  const units = (w: number) => quantities.reduce((sum, q, i) => (who[i] === w ? sum + q : sum), 0);
  for (let d = units(0) - awarded[0]; d !== 0; d = units(0) - awarded[0]) {
    const from = d > 0 ? 0 : 1;
    const need = Math.abs(d);
    let move = -1;
    for (const [i, q] of quantities.entries()) {
      if (who[i] === from && q <= need && (move < 0 || q > quantities[move]!)) move = i;
    }
    if (move >= 0) {
      who[move] = 1 - from;
      continue;
    }
    const swap = quantities
      .flatMap((qa, a) => quantities.map((qb, b) => [a, b, qa - qb] as const))
      .find(([a, b, diff]) => who[a] === from && who[b] !== from && diff === need);
    if (!swap) throw new Error('demo: the orders cannot be shared by the awards');
    who[swap[0]] = 1 - from;
    who[swap[1]] = from;
  }
  if (units(1) !== awarded[1]) throw new Error('demo: the orders do not add up to the awards');
  return who;
}

/**
 * Loads the demo story (Chinese first, deterministic): five communities, a few hundred members, the
 * scene "开瓶的红酒一次喝不完" with its need supported past its first milestone, comments, and three
 * solutions (one proposing a 375 ml bottle); other needs at every stage; the product, its two
 * wineries' awards and lots (QA passed, delivered to the brand's warehouse), its sold-out flash sale
 * shipped from those lots, and a second batch awarded for the campaigns live now. It replays the story on a
 * clock that starts 120 days ago, through the same services the API uses. Returns null when the
 * database already has members and `onlyIfEmpty` is set.
 */
export async function seedDemo(app: App, options: { onlyIfEmpty: boolean }): Promise<SeedSummary | null> {
  if (options.onlyIfEmpty && (await app.modules.accounts.service.hasMembers())) return null;
  const { config, db, logger } = app.deps;
  const now = app.deps.clock.now();
  // Two processes starting on one empty database: only the first loads the story.
  if (!(await claimOnce(db.kysely, 'demo-seed', now))) return null;
  const clock = new ManualClock(new Date(now.getTime() - STORY_DAYS * 86_400_000));
  const events = new EventBus(db, clock, logger);
  const m = buildModules({ config, db, clock, logger }, events);
  const rnd = random(375);
  const at = (days: number) =>
    clock.set(new Date(now.getTime() - (STORY_DAYS - days) * 86_400_000 + Math.floor(rnd() * 3_600_000)));
  const summary: SeedSummary = {
    members: 0,
    communities: 0,
    scenes: 0,
    needs: 0,
    supports: 0,
    solutions: 0,
    comments: 0,
    ballots: 0,
    bids: 0,
    products: 0,
    campaigns: 0,
    orders: 0,
    lots: 0,
  };

  const opView = await m.accounts.service.createOperator(DEMO_OPERATOR.email, DEMO_OPERATOR.password, DEMO_OPERATOR.displayName);
  const op: Actor = { memberId: opView.id, roles: ['member', 'operator'], via: 'token' };

  // Communities; the smaller ones climb short ladders so the demo has needs at every stage.
  const community = async (slug: string, name: string, description: string, milestones?: { goal: number; days: number }[]) => {
    summary.communities++;
    return (await m.communities.service.createCommunity(op, { slug, name, description, ...(milestones ? { milestones } : {}) }))
      .id;
  };
  const food = await community('meishi', '美食', '爱吃会吃的人，一起把餐桌上的小麻烦变成好产品', [
    { goal: 50, days: 30 },
    { goal: 200, days: 90 },
  ]);
  const office = await community('bailing', '白领', '通勤、加班、独居：城市上班族的日常场景');
  const baby = await community('muying', '母婴', '新手爸妈交流育儿中的真实难题');
  const fitness = await community('jianshen', '健身', '健身、跑步、控糖：一起变得更健康', [
    { goal: 15, days: 30 },
    { goal: 40, days: 60 },
  ]);
  const students = await community('daxuesheng', '大学生', '宿舍、食堂、考试周：校园生活的小需求', [{ goal: 10, days: 20 }]);

  // Members: one password hash for all demo accounts keeps start-up fast (demo data only).
  const members: Actor[] = [];
  const demoHash = await m.accounts.service.hashForImport(DEMO_MEMBER_PASSWORD);
  for (let i = 1; i <= MEMBERS; i++) {
    at((i / MEMBERS) * 10);
    const name = `${SURNAMES[(i * 7) % SURNAMES.length]}${GIVEN[(i * 13) % GIVEN.length]}${i > GIVEN.length ? i : ''}`;
    const view = await m.accounts.service.importMember({
      email: `member${String(i).padStart(3, '0')}@covalue.demo`,
      displayName: name,
      passwordHash: demoHash,
    });
    members.push({ memberId: view.id, roles: ['member'], via: 'token' });
    summary.members++;
  }
  for (const [i, who] of members.entries()) {
    await m.communities.service.join(who, [food, office, baby, fitness, students][i % 5]!);
    if (i % 3 === 0) await m.communities.service.join(who, food);
  }

  const scene = async (
    author: Actor,
    communityId: string,
    s: { title: string; persona: string; goal: string; pain: string; context?: string; tags?: string[] },
  ) => {
    summary.scenes++;
    return (await m.scenes.service.describeScene(author, { communityId, ...s })).id;
  };
  const need = async (author: Actor, sceneId: string, title: string, body: string) => {
    summary.needs++;
    return (await m.needs.service.raiseNeed(author, { sceneId, title, body })).id;
  };
  const support = async (needId: string, who: Actor[], fromDay: number, toDay: number, intentShare = 0.6) => {
    for (const [i, w] of who.entries()) {
      at(fromDay + ((toDay - fromDay) * i) / Math.max(1, who.length));
      const intent =
        rnd() < intentShare
          ? {
              quantity: 1 + Math.floor(rnd() * 3),
              maxUnitPrice: { amount: 4000 + 1000 * Math.floor(rnd() * 5), currency: 'CNY' },
            }
          : undefined;
      await m.needs.service.supportNeed(w, needId, intent);
      summary.supports++;
    }
  };
  const comment = async (who: Actor, needId: string, body: string, parentId?: string) => {
    summary.comments++;
    return (await m.comments.service.postComment(who, { needId }, { body, ...(parentId ? { parentId } : {}) })).id;
  };
  const solution = async (who: Actor, needId: string, title: string, body: string) => {
    summary.solutions++;
    return (await m.solutions.service.proposeSolution(who, needId, { title, body })).id;
  };

  // The reference story: an opened bottle of wine can't be finished in one evening.
  const [winePoser, solver375, solverStopper, solverBox, ...wineCrowd] = members;
  at(70);
  const wineScene = await scene(winePoser!, food, {
    title: '开瓶的红酒一次喝不完',
    persona: '独居的年轻上班族，周末想一个人小酌一杯',
    goal: '一个人也能喝到新鲜的红酒，不浪费',
    pain: '750ml 的红酒开瓶后两三天就氧化变酸，最后只能倒掉',
    context: '周五晚上，在家做了牛排，只想喝一两杯',
    tags: ['红酒', '独居', '小容量'],
  });
  const wine = await need(
    winePoser!,
    wineScene,
    '开瓶的红酒喝不完：想要一次能喝完的小瓶装',
    '一瓶 750ml 一个人两三天喝不完，希望有适合一两个人、一次喝完的小瓶红酒，品质不打折。',
  );
  at(71);
  const c1 = await comment(wineCrowd[0]!, wine, '太真实了，每次都要倒掉半瓶');
  const mentionName = (await m.accounts.service.getMe(winePoser!.memberId)).displayName;
  await comment(wineCrowd[1]!, wine, `@${mentionName} 试过真空塞，但还是会变味`, c1);
  await comment(wineCrowd[2]!, wine, '如果是 375ml，正好两个人一顿饭');
  at(72);
  const s375 = await solution(
    solver375!,
    wine,
    '375ml 小支装，螺旋盖',
    '把标准瓶减半做成 375ml，螺旋盖免开瓶器，一两个人一顿喝完；同一款酒同一品质。',
  );
  await solution(solverStopper!, wine, '随瓶附赠真空保鲜塞', '继续 750ml，但附赠抽真空瓶塞，开瓶后可保存一周。');
  await solution(solverBox!, wine, '盒中袋（bag-in-box）', '3L 盒中袋，倒出后袋子收缩不进空气，可保存一个月。');
  // 200 supporters climb both milestones: the need qualifies.
  await support(wine, wineCrowd.slice(0, 200), 70, 98);
  for (const [i, w] of wineCrowd.slice(0, 90).entries()) {
    await m.solutions.service.vote(
      w,
      i % 6 === 5 ? (await m.solutions.service.listForNeed(wine, 'new', 3, undefined)).items[1]!.id : s375,
    );
  }

  // Other scenes and needs, at every stage.
  at(95);
  const breakfast = await scene(members[10]!, baby, {
    title: '新手妈妈的快手营养早餐',
    persona: '刚休完产假的新手妈妈',
    goal: '十分钟做好孩子爱吃又营养的早餐',
    pain: '孩子挑食，早上时间又紧',
    tags: ['早餐', '挑食'],
  });
  const b1 = await need(members[10]!, breakfast, '适合挑食宝宝的营养早餐食谱盒', '每周配好食材和步骤，十分钟出餐。');
  await support(b1, members.slice(100, 140), 95, 115);
  at(100);
  const commute = await scene(members[11]!, office, {
    title: '加班到深夜，回家只想吃口热饭',
    persona: '经常加班的白领',
    goal: '回家十分钟吃上热乎饭',
    pain: '外卖太油，自己做太累',
  });
  const c2 = await need(members[11]!, commute, '一人份的健康速食套餐', '少油少盐，微波三分钟。');
  await support(c2, members.slice(150, 170), 100, 110);

  const gym = await scene(members[12]!, fitness, {
    title: '健身后想喝蛋白粉但太甜',
    persona: '每周练四次的健身爱好者',
    goal: '练后补充蛋白质',
    pain: '市面上的蛋白粉普遍太甜、添加剂多',
  });
  const fitnessNeed = async (title: string, day: number) => {
    at(day);
    const id = await need(members[12]!, gym, title, `${title}：希望社群一起把它做出来。`);
    await support(id, members.slice(200, 240), day, day + 20);
    return id;
  };
  await fitnessNeed('无糖原味蛋白粉小袋装', 30);
  const inReview = await fitnessNeed('可以冲在咖啡里的蛋白粉', 32);
  await m.needs.service.advanceNeed(op, inReview, 'in_review');
  const accepted = await fitnessNeed('健身房储物柜用的摇摇杯', 34);
  const cup = await solution(members[13]!, accepted, '带粉盒的双层摇摇杯', '上层装粉下层装水，练完一摇即喝。');
  await m.needs.service.reviewNeed(op, accepted, 'accept', '需求明确，合作工厂已有类似模具');
  await m.needs.service.chooseSolution(op, accepted, cup);
  const declined = await fitnessNeed('会自动计数的智能哑铃', 36);
  await m.needs.service.reviewNeed(op, declined, 'decline', '成本过高，且已有成熟产品，暂不立项');

  const dorm = await scene(members[14]!, students, {
    title: '宿舍不能用大功率电器，想吃夜宵',
    persona: '住校的大学生',
    goal: '考试周深夜吃点热的',
    pain: '宿舍限电，泡面吃腻了',
  });
  const studentNeed = async (title: string, day: number, supporters = 10) => {
    at(day);
    const id = await need(members[14]!, dorm, title, `${title}。`);
    if (supporters) await support(id, members.slice(260, 260 + supporters), day, day + 5);
    return id;
  };
  const dev = await studentNeed('低功率自热饭盒', 40);
  const duplicate = await studentNeed('宿舍能用的加热饭盒', 41, 4);
  await m.needs.service.mergeNeed(op, duplicate, dev);
  await m.needs.service.reviewNeed(op, dev, 'accept', '合规低功率方案可行');
  await m.needs.service.advanceNeed(op, dev, 'in_development');
  const launched = await studentNeed('食堂打包用的折叠餐盒', 42);
  await m.needs.service.reviewNeed(op, launched, 'accept', '环保材料已确认');
  await m.needs.service.advanceNeed(op, launched, 'launched');
  const delivered = await studentNeed('考试周提神的无糖茶包', 43);
  await m.needs.service.reviewNeed(op, delivered, 'accept', '好评');
  await m.needs.service.advanceNeed(op, delivered, 'launched');
  await m.needs.service.advanceNeed(op, delivered, 'delivered');
  await studentNeed('可以挂在床边的小夜灯', 60, 3);

  // From accepted need to product: the capacity poll, the chain group, the production bid, the
  // value-sharing agreement and the product (API.md: the product `小支红酒 375ml` is always there).
  const day = (d: number) => new Date(now.getTime() - (STORY_DAYS - d) * 86_400_000).toISOString();
  at(99);
  const poll = await m.polls.service.createPoll(op, {
    needId: wine,
    question: '小支红酒做多大容量？',
    options: [{ text: '375ml（半瓶）' }, { text: '500ml' }, { text: '187ml（一杯半）' }],
    mode: 'single',
    opensAt: day(99),
    closesAt: day(104),
    resultsVisibility: 'live',
  });
  for (const [i, w] of wineCrowd.slice(0, 150).entries()) {
    at(99 + (4 * i) / 150);
    await m.polls.service.castBallot(w, poll.id, [i % 7 === 3 ? 'opt2' : i % 11 === 5 ? 'opt3' : 'opt1']);
    summary.ballots++;
  }
  at(101);
  await m.needs.service.reviewNeed(op, wine, 'accept', '需求清晰，375ml 小支装方案获得最多投票，进入研发');
  await m.needs.service.chooseSolution(op, wine, s375);
  at(104.5);
  await m.polls.service.decide(op, poll.id, 'opt1');

  const partner = (i: number): Actor => ({ memberId: members[i]!.memberId, roles: ['member', 'partner'], via: 'token' });
  const wineries: { id: string; partner: Actor }[] = [];
  for (const [i, [slug, name]] of [
    ['shangu-winery', '山谷酒庄'],
    ['hepan-winery', '河畔酒庄'],
    ['gaoyuan-winery', '高原酒庄'],
  ].entries()) {
    const org = await m.organisations.service.createOrganisation(op, {
      slug: slug!,
      name: name!,
      kind: 'maker',
      description: `${name}：葡萄酒生产商`,
    });
    await m.organisations.service.addPartner(op, org.id, members[300 + i]!.memberId);
    wineries.push({ id: org.id, partner: partner(300 + i) });
  }
  at(105);
  const group = await m.chainGroups.service.formChainGroup(op, {
    needId: wine,
    name: '小支红酒链群',
    leads: [winePoser!.memberId],
  });
  await m.chainGroups.service.putMember(op, group.id, solver375!.memberId, 'creator');
  // Three of the need's supporters join for the community: the pool's supporter share is theirs by
  // contribution weight (the first two supported early and voted, the third only voted).
  const supporterParties = [wineCrowd[0]!, wineCrowd[1]!, wineCrowd[120]!];
  for (const w of supporterParties) await m.chainGroups.service.putMember(op, group.id, w.memberId, 'supporter');
  at(106);
  const call = await m.bids.service.openCall(op, {
    needId: wine,
    quantity: 3000,
    targetUnitPrice: { amount: 3500, currency: 'CNY' },
    deadline: day(110),
    requirements: '375ml 螺旋盖小瓶，与 750ml 同款酒液，每批附质检报告',
  });
  const offers = [
    { unitCost: 3200, minQuantity: 1000, maxQuantity: 1500, leadTimeDays: 20, capacityPerWeek: 500, sampleOffered: true },
    { unitCost: 3300, minQuantity: 1000, maxQuantity: 2000, leadTimeDays: 25, capacityPerWeek: 600, sampleOffered: true },
    { unitCost: 3600, minQuantity: 2000, maxQuantity: 3000, leadTimeDays: 15, capacityPerWeek: 1000, sampleOffered: false },
  ];
  const bids = [];
  for (const [i, o] of offers.entries()) {
    at(107 + i);
    bids.push(
      await m.bids.service.submitBid(wineries[i]!.partner, call.id, wineries[i]!.id, {
        ...o,
        unitCost: { amount: o.unitCost, currency: 'CNY' },
        notes: '可提供样品与质检报告',
      }),
    );
    summary.bids++;
  }
  at(111);
  await m.bids.service.award(op, call.id, {
    awards: [
      { bidId: bids[0]!.id, quantity: 1500 },
      { bidId: bids[1]!.id, quantity: 1500 },
    ],
    allowUndercover: false,
  });
  const lead: Actor = { memberId: winePoser!.memberId, roles: ['member'], via: 'token' };
  const agreement = await m.chainGroups.service.proposeAgreement(lead, group.id, {
    referenceUnitPrice: { amount: 5900, currency: 'CNY' },
    makerUnitCost: { amount: 3300, currency: 'CNY' },
    platformFeeBps: 1000,
    referralCommissionBps: 500,
    pool: { mode: 'rest' },
    roleShares: { lead: 4000, creator: 4000, supporter: 2000 },
    contributionWeights: {
      needAuthor: 3,
      chosenSolutionAuthors: 3,
      earlySupporters: { first: 100, weight: 1 },
      pollVoters: 1,
      trialReviewers: 1,
    },
  });
  at(112);
  for (const party of [lead, solver375!, ...supporterParties, wineries[0]!.partner, wineries[1]!.partner]) {
    await m.chainGroups.service.acceptAgreement(party, group.id, agreement.version);
  }
  at(113);
  const product = await m.products.service.createProduct(op, {
    needId: wine,
    name: '小支红酒 375ml',
    description: '社群共创的小支装红酒：375ml 螺旋盖，一两个人一顿喝完，同款酒液同等品质。',
    images: [],
    specs: [{ key: '瓶盖', value: '螺旋盖' }],
    skus: [
      { code: 'RW375-CS', name: '赤霞珠 375ml' },
      { code: 'RW375-ME', name: '梅洛 375ml' },
    ],
  });
  summary.products++;
  await m.needs.service.advanceNeed(op, wine, 'in_development');

  // The limited run: 3,000 bottles in a flash sale that sells out in 22 minutes, supporters who gave a
  // purchase intent first. Paid with the simulated provider where it is offered (its webhooks are sent
  // once the server runs), else by bank transfers an operator confirms.
  const campaigns = m.campaigns.service;
  const simulated = app.deps.config.payments.providers.includes('simulated');
  const buy = async (who: Actor, campaignId: string, quantity: number, key: string) => {
    const { order } = await m.campaigns.orders.placeOrder(who, campaignId, { quantity }, key);
    const { payment } = await m.payments.service.createPayment(
      who,
      order.id,
      { provider: simulated ? 'simulated' : 'manual' },
      `${key}-pay`,
    );
    if (!simulated) await m.payments.service.decideManual(op, payment.id, 'confirm');
    summary.orders++;
    return order;
  };
  const draft = async (input: Parameters<typeof campaigns.createCampaign>[1]) => {
    summary.campaigns++;
    const c = await campaigns.createCampaign(op, input);
    await campaigns.launchCampaign(op, c.id);
    return c.id;
  };
  const storyDay = (d: number, hourUtc = 12) => {
    const t = new Date(now.getTime() - (STORY_DAYS - d) * 86_400_000);
    t.setUTCHours(hourUtc, 0, 0, 0);
    return t;
  };
  /** A winery records a lot produced on a story day, passes its QA and ships it to the brand's warehouse, delivered hours later. */
  const stockLot = async (maker: Actor, bidId: string, lotNumber: string, quantity: number, producedOn: number, at: Date) => {
    clock.set(at);
    const lot = await m.lots.service.recordLot(maker, product.id, {
      bidId,
      lotNumber,
      quantity,
      producedOn: storyDay(producedOn).toISOString().slice(0, 10),
    });
    clock.set(new Date(at.getTime() + 20 * 60_000));
    await m.lots.service.recordQa(maker, lot.id, { result: 'passed', notes: '理化指标与感官品评合格，附质检报告' });
    clock.set(new Date(at.getTime() + 40 * 60_000));
    const shipment = await m.lots.service.recordShipment(maker, lot.id, {
      quantity,
      carrier: '德邦物流',
      trackingNumber: `DB${lotNumber.replace(/\D/g, '')}`,
      destination: '品牌仓 上海',
    });
    clock.set(new Date(at.getTime() + 5 * 3_600_000));
    await m.lots.service.recordDelivery(maker, shipment.id);
    summary.lots++;
  };
  const tiers = [
    { upTo: 1000, unitPrice: { amount: 4_900, currency: 'CNY' } },
    { upTo: null, unitPrice: { amount: 5_900, currency: 'CNY' } },
  ];
  clock.set(storyDay(114));
  const saleStart = storyDay(115);
  const flash = await draft({
    productId: product.id,
    title: '小支红酒 375ml 首发限量 3000 瓶',
    description: '社群共创的第一批：前 1000 瓶早鸟价，支持过需求并登记购买意向的会员提前 10 分钟抢购。',
    mode: 'flash',
    quantity: 3000,
    priceTiers: tiers,
    perMemberLimit: 24,
    startsAt: saleStart.toISOString(),
    endsAt: new Date(saleStart.getTime() + 86_400_000).toISOString(),
    firstClaim: { minutes: 10, reservedUnits: 0, reservedMinutes: null },
    paymentTimeoutMinutes: 15,
  });
  const firstClaimers = new Set(
    await m.needs.service.supportersWithIntent(
      db.kysely,
      wine,
      members.map((x) => x.memberId),
    ),
  );
  const queue = [
    ...members.filter((x) => firstClaimers.has(x.memberId)),
    ...members.filter((x) => !firstClaimers.has(x.memberId)),
  ];
  // Who buys how many, until the last bottle; then their minutes: supporters in the first 10, the rest until minute 22.
  const plan: { who: Actor; quantity: number }[] = [];
  let left = 3000;
  for (const who of queue) {
    if (left === 0) break;
    const quantity = Math.min(left, 1 + Math.floor(rnd() * 24));
    plan.push({ who, quantity });
    left -= quantity;
  }
  if (left > 0) plan.push({ who: members[1]!, quantity: left });
  const early = plan.filter((x) => firstClaimers.has(x.who.memberId)).length;
  const flashOrders: string[] = [];
  for (const [i, { who, quantity }] of plan.entries()) {
    const minute = i < early ? (10 * i) / early : 10 + (11.9 * (i - early)) / Math.max(1, plan.length - 1 - early);
    clock.set(new Date(saleStart.getTime() + minute * 60_000));
    flashOrders.push((await buy(who, flash, quantity, `demo-flash-${i}`)).id);
  }
  // Each winery bottled its awarded 1,500 in two lots, passed QA and sent them to the brand's
  // warehouse; each ships its share of the orders from its own lots.
  const shipper = shareOrders(
    plan.map((x) => x.quantity),
    [1500, 1500],
  );
  const lotOf = (i: number) => `${shipper[i] ? 'HP' : 'SG'}-2026-0${1 + Math.floor(i / 120)}`;
  const lotUnits = new Map<string, { winery: number; quantity: number }>();
  for (const [i, { quantity }] of plan.entries()) {
    const lot = lotUnits.get(lotOf(i)) ?? { winery: shipper[i]!, quantity: 0 };
    lot.quantity += quantity;
    lotUnits.set(lotOf(i), lot);
  }
  for (const [k, [lotNumber, { winery, quantity }]] of [...lotUnits].sort(([a], [b]) => a.localeCompare(b)).entries()) {
    await stockLot(
      wineries[winery]!.partner,
      bids[winery]!.id,
      lotNumber,
      quantity,
      lotNumber.endsWith('-01') ? 112 : 113,
      storyDay(116, 1 + k),
    );
  }

  // The wineries ship from their lots; most bottles have arrived.
  clock.set(storyDay(117));
  for (const [i, orderId] of flashOrders.entries()) {
    const maker = wineries[shipper[i]!]!;
    clock.set(new Date(storyDay(117).getTime() + i * 60_000));
    await m.campaigns.orders.fulfilOrder(maker.partner, orderId, {
      organisationId: maker.id,
      lot: lotOf(i),
      carrier: '顺丰速运',
      trackingNumber: `SF${String(7_000_000 + i * 37).padStart(10, '0')}`,
    });
    if (i % 10 < 8) {
      clock.set(new Date(storyDay(119, 6).getTime() + i * 60_000));
      await m.campaigns.orders.deliverOrder(maker.partner, orderId);
    }
  }
  clock.set(storyDay(116));
  await campaigns.advance();

  // The second batch: another call for production, awarded 1,000 + 1,000 at the agreement's maker cost.
  clock.set(storyDay(116, 13));
  const secondCall = await m.bids.service.openCall(op, {
    needId: wine,
    quantity: 2000,
    targetUnitPrice: { amount: 3500, currency: 'CNY' },
    deadline: day(118),
    requirements: '第二批 375ml 螺旋盖小瓶，与首批同款酒液，每批附质检报告',
  });
  const secondBids = [];
  for (const [i, winery] of wineries.slice(0, 2).entries()) {
    clock.set(storyDay(116, 14 + i));
    secondBids.push(
      await m.bids.service.submitBid(winery.partner, secondCall.id, winery.id, {
        unitCost: { amount: 3300, currency: 'CNY' },
        minQuantity: 500,
        maxQuantity: 1500,
        leadTimeDays: 20,
        capacityPerWeek: 500,
        sampleOffered: false,
        notes: '第二批同款酒液',
      }),
    );
    summary.bids++;
  }
  clock.set(storyDay(116, 18));
  await m.bids.service.award(op, secondCall.id, {
    awards: secondBids.map((b) => ({ bidId: b.id, quantity: 1000 })),
    allowUndercover: false,
  });

  // Live now: the second batch on presale, a gift box crowdfunding, free samples of the Merlot, and
  // a flash sale starting in three days.
  clock.set(storyDay(117));
  const presale = await draft({
    productId: product.id,
    title: '小支红酒 第二批 预售',
    description: '第二批 2000 瓶，预售付款，一个月内发货。',
    mode: 'presale',
    quantity: 2000,
    priceTiers: [{ upTo: null, unitPrice: { amount: 5_900, currency: 'CNY' } }],
    perMemberLimit: 12,
    startsAt: storyDay(117).toISOString(),
    endsAt: new Date(now.getTime() + 11 * 86_400_000).toISOString(),
    paymentTimeoutMinutes: 15,
  });
  const crowdfunding = await draft({
    productId: product.id,
    title: '小支红酒 六瓶礼盒 众筹',
    description: '凑满 300 盒就开工：付款先授权，截止时达标才扣款，不达标全额释放。',
    mode: 'crowdfunding',
    quantity: 800,
    priceTiers: [{ upTo: null, unitPrice: { amount: 32_900, currency: 'CNY' } }],
    perMemberLimit: 4,
    startsAt: storyDay(117).toISOString(),
    endsAt: new Date(now.getTime() + 10 * 86_400_000).toISOString(),
    goal: { units: 300 },
    paymentTimeoutMinutes: 30,
  });
  for (let i = 0; i < 36; i++) {
    clock.set(new Date(storyDay(117).getTime() + i * 3 * 3_600_000));
    await buy(members[(i * 7) % MEMBERS]!, presale, 1 + (i % 3), `demo-presale-${i}`);
    if (i % 2 === 0) await buy(members[(i * 11 + 5) % MEMBERS]!, crowdfunding, 1, `demo-crowd-${i}`);
  }
  const trial = await draft({
    productId: product.id,
    title: '梅洛 375ml 免费试饮',
    description: '50 份免费试饮装：申请后由种子抽签选出，收到后请留下评价。',
    mode: 'trial',
    quantity: 50,
    startsAt: storyDay(118).toISOString(),
    endsAt: new Date(now.getTime() + 5 * 86_400_000).toISOString(),
  });
  for (let i = 0; i < 40; i++) {
    clock.set(new Date(storyDay(118).getTime() + i * 1_800_000));
    await m.campaigns.trials.apply(members[(i * 13 + 3) % MEMBERS]!, trial, {
      motivation: ['想试试小瓶装', '一个人喝正合适', '想送给父母尝尝'][i % 3]!,
      usage: ['周末自己做饭配一杯', '露营带一瓶', '和室友分享'][i % 3]!,
      householdSize: 1 + (i % 3),
    });
  }
  await draft({
    productId: product.id,
    title: '小支红酒 周年限定 闪购',
    description: '周年限定酒标，500 瓶，准点开抢。',
    mode: 'flash',
    quantity: 500,
    priceTiers: [{ upTo: null, unitPrice: { amount: 6_900, currency: 'CNY' } }],
    perMemberLimit: 6,
    startsAt: new Date(now.getTime() + 3 * 86_400_000).toISOString(),
    endsAt: new Date(now.getTime() + 4 * 86_400_000).toISOString(),
    paymentTimeoutMinutes: 10,
  });

  // The first lots of the second batch are in the brand's warehouse, ready for its orders.
  await stockLot(wineries[0]!.partner, secondBids[0]!.id, 'SG-2026-B2-01', 600, 119, storyDay(119, 8));
  await stockLot(wineries[1]!.partner, secondBids[1]!.id, 'HP-2026-B2-01', 600, 119, storyDay(119, 9));

  // Back to now: needs whose deadline passed are recorded as expired.
  clock.set(now);
  await m.needs.service.recordExpiries();
  await campaigns.advance();
  return summary;
}
