import { term } from '../../../core/glossary.ts';
import { DASHBOARD_MESSAGES } from '../dashboard/messages.ts';
import { EDITOR_MESSAGES } from '../panels/editor/messages.ts';
import { SECURITY_MESSAGES } from '../panels/security/messages.ts';
import { MESSAGES, type Language } from './messages.ts';

/** One of the jobs the help walks through: a title and its steps in order. */
export interface HelpJob {
  id: 'draw' | 'dashboard' | 'cameras';
  title: string;
  steps: string[];
}

export interface Help {
  title: string;
  intro: string;
  jobs: HelpJob[];
  close: string;
}

/**
 * 帮助: the three jobs of a street office, step by step. Buttons are named with the words the UI
 * shows (taken from the dictionaries), so the help cannot drift from the screen.
 */
export function helpText(lang: Language): Help {
  const app = MESSAGES[lang];
  const ed = EDITOR_MESSAGES[lang];
  const dash = DASHBOARD_MESSAGES[lang];
  const sec = SECURITY_MESSAGES[lang];
  const q = (s: string) => `“${s}”`;
  const threeNo = term('threeNo', lang);
  if (lang === 'en')
    return {
      title: 'Help',
      intro: `Wuyou Map serves three jobs: draw the ${term('serviceArea', lang)}s, see which ${threeNo} buildings they cover yet, and see what the cameras watch.`,
      jobs: [
        {
          id: 'draw',
          title: `1. Draw or change a ${term('serviceArea', lang)}`,
          steps: [
            `Click ${q(ed['editor.open'])} at the bottom of the map, then ${q(ed['login.signIn'])} with your ${term('street', lang)}’s account (editor-<subdistrict code>).`,
            `New area: click ${q(ed['tool.new'])} and click the boundary’s corners on the map; click the first corner again (or press Enter) to close it. Corners snap to neighbouring areas and buildings.`,
            `Change an area: click it on the map and drag its corners or edge midpoints. ${q(ed['tool.split'])} cuts it with a line across it; ${q(ed['tool.merge'])} joins an adjacent area.`,
            `${q(ed['checks.title'])} lists what must be fixed (overlap, a boundary crossing itself, outside your ${term('street', lang)}) and notes (the boundary cuts a building, no building inside). Tick ${q(ed['tool.avoidOverlap'])} to clip the shape to its neighbours.`,
            `Fill in the attributes (name, ${term('street', lang)}, ${term('community', lang)}, ${term('managementMode', lang)}, ${term('provider', lang)}, ${term('helperUnit', lang)}) and click ${q(ed['tool.save'])}. If someone saved first you choose what to keep and lose nothing; ${q(ed['history.title'])} shows and restores earlier versions.`,
          ],
        },
        {
          id: 'dashboard',
          title: '2. See coverage and gaps in the dashboard',
          steps: [
            `Click ${q(dash.open)} at the top. Click down from the whole city to a district, a ${term('street', lang)} and a ${term('community', lang)}: uncovered ${threeNo} buildings, coverage and the ${term('fiveTargets', lang)} at each level.`,
            `At a ${term('street', lang)} the list shows the gaps between areas (orange on the map) and proposed areas for uncovered ${threeNo} buildings (dashed purple).`,
            `${q(dash['draft.fill'])} or ${q(dash['draft.acceptDraft'])} opens one in the editor as a new draft; change it if needed and save. The uncovered count drops by the buildings it covers.`,
            `${q(dash['worst.title'])}: click a name to go there. The exports give coverage, the ${term('problemList', lang)} and the uncovered buildings as files.`,
          ],
        },
        {
          id: 'cameras',
          title: '3. See camera coverage and unwatched gates',
          steps: [
            'Zoom in to level 15 or closer: cameras are coloured by programme, and each sector is what the camera really sees (buildings in the way are cut out).',
            `A ${term('gate', lang)} is green when a camera sees it and red when none does; a dark ring means ${term('accessControl', lang)}.`,
            `Select a service area: the box at the bottom gives the share of it the cameras see and the gates watched. ${q(app['security.suggest'])} proposes camera positions; nothing is added until you accept one.`,
            `Click a camera or a gate for its form and history. ${q(sec['bands.toggle'])} in the layer panel draws how far faces can be identified.`,
          ],
        },
      ],
      close: app['about.close'],
    };
  return {
    title: '帮助',
    intro: `五有地图帮助街道完成三件事：划定${term('serviceArea', lang)}，查看哪些${threeNo}楼栋还没有覆盖，查看视频监控看到了什么。`,
    jobs: [
      {
        id: 'draw',
        title: `一、绘制或修改${term('serviceArea', lang)}`,
        steps: [
          `点击地图下方的${q(ed['editor.open'])}，再点${q(ed['login.signIn'])}，用本${term('street', lang)}的账号（editor-街道代码）登录。`,
          `新建：点${q(ed['tool.new'])}，在地图上依次点击边界的各个顶点，再点第一个顶点（或按 Enter）闭合；顶点会吸附到相邻区域和建筑。`,
          `修改：点击地图上的服务区域，拖动顶点或边的中点；${q(ed['tool.split'])}用一条穿过区域的线把它分成两块，${q(ed['tool.merge'])}把相邻区域并进来。`,
          `${q(ed['checks.title'])}列出须修正的问题（重叠、边界自相交、超出本街道辖区）和提示（边界穿过楼栋、区域内没有楼栋）；勾选${q(ed['tool.avoidOverlap'])}可按相邻区域自动裁剪。`,
          `填写属性（名称、${term('street', lang)}、${term('community', lang)}、${term('managementMode', lang)}、${term('provider', lang)}、${term('helperUnit', lang)}），点${q(ed['tool.save'])}。如果别人先保存了，会请您选择保留哪一个，您的修改不会丢失；${q(ed['history.title'])}可查看和恢复以前的版本。`,
        ],
      },
      {
        id: 'dashboard',
        title: '二、在看板中查看覆盖情况和空隙',
        steps: [
          `点顶部的${q(dash.open)}。从全市逐级点到区县、${term('street', lang)}、${term('community', lang)}：每一级都能看到未覆盖${threeNo}楼栋数、覆盖率和${term('fiveTargets', lang)}达标情况。`,
          `到${term('street', lang)}一级，列表给出区域之间的空隙（地图上橙色）和为未覆盖${threeNo}楼栋建议新划的区域（紫色虚线）。`,
          `点${q(dash['draft.fill'])}或${q(dash['draft.acceptDraft'])}，它会作为新草稿在编辑器中打开，修改后保存；未覆盖楼栋数随之减少。`,
          `${q(dash['worst.title'])}：点小区名称可定位到地图上。还可以导出覆盖统计、${term('problemList', lang)}和未覆盖楼栋。`,
        ],
      },
      {
        id: 'cameras',
        title: '三、查看视频覆盖和无人看到的出入口',
        steps: [
          '放大到 15 级及以上：摄像机按所属系统着色，扇形是摄像机实际看得到的范围（被建筑挡住的部分已去掉）。',
          `${term('gate', lang)}为绿色表示有摄像机看到，红色表示没有摄像机看到；深色外圈表示装有${term('accessControl', lang)}。`,
          `选中一个服务区域后，底部显示它的技防覆盖率和被看到的大门数；点${q(app['security.suggest'])}获得建议的摄像机位置，确认后才会添加。`,
          `点击摄像机或出入口可查看和修改属性、查看修改历史；图层面板中的${q(sec['bands.toggle'])}显示识别、辨认和观察的距离范围。`,
        ],
      },
    ],
    close: app['about.close'],
  };
}
