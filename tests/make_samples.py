#!/usr/bin/env python3
"""Write the sample corpus ``raw/`` (what ``make run`` cleans out of the box) and its expectations
``tests/fixtures/samples.yaml``.

Every article is invented for this project. Each one is defined once below as *clean* text
(Simplified script, full-width Chinese punctuation: what the pipeline must produce); the raw files are
derived from it by the damage a real scrape shows: portal chrome, legacy encodings, a lying
``<meta charset>``, Traditional script, ruby pinyin left in the text, mojibake, lost bytes,
half-width punctuation, full-width digits, ideographic indents, NBSP and zero-width marks.

Usage (from the project's root)::

    .venv/bin/python tests/make_samples.py            # write raw/ and the fixture, then verify them
    .venv/bin/python tests/make_samples.py --check    # only verify what is on disk

The output is deterministic (no clocks, no randomness): running it twice gives identical bytes.
Only the standard library is needed to write; the verification also uses PyYAML and OpenCC
(``opencc-python-reimplemented``) when they are installed, to confirm that the Traditional raw
text converts back to the expected Simplified text and that every chrome string really is in its
file.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import struct
import sys
import unicodedata
import zlib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "raw"
FIXTURE = ROOT / "tests" / "fixtures" / "samples.yaml"
MAX_SIZE = 6 * 1024

# --------------------------------------------------------------------------------------------
# Clean articles (the expected output): Simplified, full-width punctuation, no indents.
# --------------------------------------------------------------------------------------------

LIBRARY_TITLE = "临江市图书馆新馆正式开放 首日接待读者逾万人次"
LIBRARY = [
    "6月10日上午，位于临江新区文化中心的市图书馆新馆正式对外开放。新馆建筑面积4.2万平方米，"
    "设有少儿阅览区、古籍修复室和数字体验厅，馆藏纸质图书约260万册。",
    "开馆当天，不少市民一早就在门前排起长队。“我七点半就来了，想第一个借到《城南旧事》。”"
    "家住江滨街道的退休教师刘女士说。截至当天下午5时，新馆共接待读者10356人次，办理借书证1800余张。",
    "与老馆相比，新馆最大的变化是“无感借还”。读者只需把图书放在自助终端上，系统通过RFID芯片在3秒内"
    "完成登记，全馆还覆盖了5G网络和免费Wi-Fi。",
    "市图书馆馆长许文涛介绍，新馆每周开放84小时，周一至周日9:00至21:00均可入馆。馆内还开辟了方言"
    "口述史录音间，计划用三年时间采集1000位老人讲述的“临江记忆”。",
    "据了解，老馆所在的中山路馆舍将改造为社区分馆，预计明年春季重新开放，届时两馆之间将开通通借通还服务。",
]

FOOTBALL_TITLE = "城市杯足球赛决赛 台北蓝鹊2比1逆转高雄海港"
FOOTBALL = [
    "8月5日晚间在台北田径场举行的城市杯足球赛决赛中，主队台北蓝鹊凭借下半场的两粒进球，以2比1逆转"
    "击败高雄海港，睽违6年再度捧起冠军奖杯。",
    "比赛于晚上7:30开踢，现场涌入约1.2万名球迷。开赛第18分钟，高雄海港利用角球机会由前锋林子翔头槌破门，取得1比0领先。",
    "易边再战后，台北蓝鹊加强边路进攻。第63分钟，替补上场的19岁小将陈柏宇禁区外远射扳平比分；"
    "第88分钟，队长吴承恩在混战中补射得手，全场沸腾。",
    "赛后总教练黄国栋表示：「球员们在落后时没有放弃，这座冠军属于每一位支持我们的球迷。」他也透露，"
    "球队将在9月前往日本进行为期两周的移地训练。",
    "本届赛事共有12支球队参加，赛会统计显示，总进球数达到87球，场均观众人数较去年成长约三成。",
]

RAIN_TITLE = "我市迎入汛以来最强降雨 暴雨橙色预警已发布"
RAIN = [
    "记者从市气象台获悉，受冷暖空气交汇影响，7月18日至20日我市将迎来今年入汛以来最强的一次降雨过程，"
    "累计雨量可达150至250毫米，局地超过300毫米。",
    "市气象台已于18日6时发布暴雨橙色预警信号，提醒市民尽量减少外出。“这次降雨范围广、持续时间长，"
    "山区要特别防范山洪和地质灾害。”首席预报员梁海燕说。",
    "受降雨影响，全市共有23所中小学暂停线下教学，改为网上授课；地铁2号线高架段列车将限速运行，"
    "部分公交线路临时调整走向。",
    "防汛部门提醒，雨天驾车应打开雾灯、保持车距，切勿强行通过积水路段。市民可通过“南方天气”App"
    "或拨打12121查询实时天气信息。",
    "气象专家表示，进入7月下旬后副热带高压将逐步北抬，预计21日起雨势减弱，气温回升至33℃左右，市民需注意防暑降温。",
]

EXPO_TITLE = "第五届港城数字科技博览会开幕 5G和人工智能展品受关注"
EXPO = [
    "9月14日，第五届港城数字科技博览会在国际会展中心开幕，来自18个国家和地区的460余家企业参展，展览面积达6.5万平方米。",
    "在5G应用展区，一台由本地企业研发的巡检机器人吸引了大批观众。工作人员介绍，这款机器人可以在地下"
    "管廊连续工作72小时，识别精度超过99%。",
    "人工智能展区同样人气旺盛。多家企业展示了基于大模型的政务问答系统和AI辅助诊疗平台，观众可以现场"
    "体验用方言向机器“提问”。",
    "本届博览会首次设立“青年创客”专区，展出高校学生团队的63个项目，其中一款帮助视障人士识别公交站牌"
    "的手机应用获得了主办方颁发的创新奖。",
    "据组委会统计，开幕首日签约项目27个，总金额约135亿元。博览会将持续至9月17日，市民可凭身份证免费预约入场。",
]

BRIDGE_TITLE = "石门村百年老桥完成加固 村民出行不再绕远路"
BRIDGE = [
    "经过四个多月的施工，石门村横跨青溪的百年石拱桥日前完成加固改造并恢复通行。这座老桥始建于清代"
    "光绪年间，是附近三个村庄村民往来镇上的必经之路。",
    "前些年，老桥桥面出现多处裂缝，为保证安全，镇政府不得不对大型车辆实行限行，不少村民只能绕行8公里外的新桥去赶集。",
    "今年3月，县交通运输局邀请文物专家和桥梁工程师共同制定方案，在保留原有石拱和栏板的前提下，对桥基"
    "进行注浆加固，并更换了破损的青石桥面。",
    "“老桥修好了，既保住了祖辈留下的念想，也方便了我们拉货卖菜。”在桥头经营小卖部的村民杨大伯说。",
    "据了解，县里还计划在桥边建设一处小型展示馆，介绍老桥的历史和这次修缮的过程，让更多游客了解当地的乡土文化。",
]

RIVER_TITLE = "清淤治污两年 沙河重现“水清岸绿”"
RIVER = [
    "清晨6点，沙河岸边的步道上已有不少晨练的市民。两年前，这段河道还因黑臭水体被列入整治清单，如今"
    "河水清澈见底，白鹭时常在浅滩觅食。",
    "2021年起，北城区启动沙河综合治理工程，累计清理淤泥18.6万立方米，封堵沿岸排污口47个，新建截污"
    "管网32公里。区水务局负责人介绍，治理的关键在于“截污”和“活水”两手抓。",
    "为了让治理成果长久保持，沿河5个街道推行“河长+志愿者”模式，每周组织巡河，发现垃圾随手清理，发现违规排放及时上报。",
    "退休工人老周是最早报名的志愿者之一。他说：“以前走到河边都要捂着鼻子，现在每天不来转一圈就觉得"
    "少了点什么。”两年来，他记下的巡河日记已有厚厚三本。",
    "据监测，沙河出境断面水质已由劣Ⅴ类稳定提升至Ⅲ类。下一步，北城区将投入1.2亿元建设滨河生态公园，"
    "计划于2024年底前建成开放。",
]

CANTEEN_TITLE = "长兴街道社区食堂开张 老人吃上热乎饭"
CANTEEN = [
    "10月8日，长兴街道首家社区长者食堂在文化路正式开张。食堂每天供应早中晚三餐，60岁以上老人凭卡就餐"
    "可享受八折优惠，80岁以上独居老人还可免费领取午餐。",
    "食堂由街道提供场地，引入专业餐饮企业运营，菜品每周更换，兼顾少油少盐和软烂易嚼。开张当天，近200名"
    "老人前来品尝，不少人还带来了孙辈。",
    "“我一个人住，以前经常随便对付一口，现在走几步路就能吃上热乎饭。”今年78岁的独居老人郑阿婆说。（周 岚）",
    "据介绍，街道还在辖区内各村（社区）设立了12个助餐点，行动不便的老人可以通过电话预约，由志愿者送餐"
    "上门。下一步，街道将根据老人的意见调整菜谱和就餐时间。（记者 陈立）",
]

BUS_TITLE = "西湖区公交车全部换成新能源车型"
BUS = [
    "11月1日起，西湖区最后一批32辆柴油公交车正式退役，全区公交线路实现新能源车辆全覆盖。至此，区内"
    "运营的486辆公交车全部为纯电动或氢燃料车型。",
    "新投入运营的车辆配备了低地板和无障碍踏板，方便老人和轮椅乘客上下车。车内还安装了USB充电接口和"
    "实时到站显示屏，乘客可以通过手机查看下一班车的位置。",
    "区交通局相关负责人介绍，与柴油车相比，每辆纯电动公交车一年可减少二氧化碳排放约60吨，全区每年节省"
    "燃料费用超过2000万元。",
    "为保障车辆充电需求，区里在4个公交场站新建了128个充电桩，夜间低谷时段集中充电，单车充满电约需"
    "1.5小时，续航里程可达300公里。",
    # Worded so that its UTF-8 bytes decode as GBK without a single error: the mojibake is reversible.
    "新车上路后，不少市民表示车内安静了，行驶也更平稳。住在文三路的王阿姨说：“乘坐起来比以前舒服多了，"
    "路上还能看看书”，并表示以后每天都坐公交上下班。西湖区下一步还将试点开通两条定制公交专线，方便上班族"
    "的早晚通勤。（沈一帆）",
]

GDP_TITLE = "上半年全市GDP同比增长6.2%"
GDP = [
    "7月20日，市统计局发布2023年上半年经济运行数据。初步核算，上半年全市实现地区生产总值（GDP）"
    "5860.3亿元，按不变价格计算，同比增长6.2%，增速比一季度加快1.4个百分点。",
    "分产业看，第一产业增加值112.5亿元，增长3.1%；第二产业增加值2178.6亿元，增长5.8%；第三产业"
    "增加值3569.2亿元，增长6.7%。",
    "消费市场回暖明显。上半年全市社会消费品零售总额2341亿元，同比增长8.9%，其中餐饮收入增长21.3%，"
    "新能源汽车零售额增长46%。",
    "市统计局新闻发言人表示，下半年将继续关注外贸订单和房地产市场的变化，“总体来看，经济回升向好的态势没有改变”。",
]

WINERY_TITLE = "旧酒厂变身文创园区 嘉禾市打造艺文新地标"
WINERY = [
    "闲置近二十年的嘉禾旧酒厂，经过三年整修后于10月21日重新开放，成为结合展演、市集与餐饮的文创园区，"
    "开幕首周末就吸引超过3万人次入园参观。",
    "园区保留了日治时期兴建的红砖仓库与高耸的烟囱，原本的蒸馏厂房改为可容纳500人的表演厅，仓库则规划为"
    "青年创业工作室与手作教室。",
    "市府文化局长苏怡君表示，整修过程中邀请建筑、历史等领域学者组成咨询小组，「我们希望老建筑不只是被"
    "保存，而是重新回到市民的生活里。」",
    "为了带动周边商圈，园区每个周末都会举办青农市集，并与在地业者合作推出限定商品。文化局也将在明年春天"
    "规划一系列老酒厂导览活动。",
]

GRAIN_TITLE = "今年秋粮收购工作全面展开"
GRAIN = [
    "随着晚稻陆续收割上市，全县今年的秋粮收购工作已于10月25日全面展开。县粮食和物资储备局在各乡镇设立了"
    "36个收购网点，预计收购量将超过8万吨。",
    "为方便农民售粮，各网点延长了营业时间，每天早上7点开秤、晚上8点停秤，并开通了手机预约功能，农民可以"
    "提前选好时段，减少排队等候。",
    "在城关镇的收购点，种粮大户孙建国正把刚烘干的稻谷送上传送带。他告诉记者，今年自家种的300亩水稻长势"
    "不错，每亩比去年多收了近50公斤。",
    "县粮食和物资储备局负责人表示，今年将严格执行国家最低收购价政策，确保不压级压价、不拖欠农民售粮款，"
    "切实保护种粮农民的利益。",
]

PASTRY = [
    "百年老字号“𠮷祥斋”糕点铺迁入新址",
    "北城老字号“𠮷祥斋”糕点铺日前从鼓楼东街迁至新落成的文化街区，店内仍保留传统木模手工制作工艺，开业"
    "首日推出的桂花糕和枣泥酥在两个小时内就已售罄。",
]

CLINIC_TITLE = "社区医院开展秋季义诊 百余名居民家门口看专家"
CLINIC = [
    "10月14日，东江街道社区卫生服务中心联合市第二人民医院开展秋季义诊活动，心内科、眼科、中医科等8个"
    "科室的15名专家来到社区，为居民免费问诊。",
    "活动现场，血压测量和眼底检查的队伍排得最长。市二院眼科副主任医师何静提醒，老年人如出现视物模糊、"
    "看东西变形，应尽早到医院检查，不要自行购买眼药水。",
    "据统计，当天共有130余名居民接受了诊疗服务，医生们发放健康手册400多份。街道方面表示，今后每个季度"
    "都将邀请三甲医院的专家到社区坐诊。",
]

# --------------------------------------------------------------------------------------------
# Traditional versions, written out (not converted at run time, so the raw bytes never depend on
# an OpenCC version). --check confirms that OpenCC t2s turns each back into the clean text.
# --------------------------------------------------------------------------------------------

LIBRARY_HANT = [  # Taiwan-style characters (s2tw), reposted by another site
    "臨江市圖書館新館正式開放 首日接待讀者逾萬人次",
    "6月10日上午，位於臨江新區文化中心的市圖書館新館正式對外開放。新館建築面積4.2萬平方米，"
    "設有少兒閱覽區、古籍修復室和數字體驗廳，館藏紙質圖書約260萬冊。",
    "開館當天，不少市民一早就在門前排起長隊。“我七點半就來了，想第一個借到《城南舊事》。”"
    "家住江濱街道的退休教師劉女士說。截至當天下午5時，新館共接待讀者10356人次，辦理借書證1800餘張。",
    "與老館相比，新館最大的變化是“無感借還”。讀者只需把圖書放在自助終端上，系統通過RFID芯片在3秒內"
    "完成登記，全館還覆蓋了5G網絡和免費Wi-Fi。",
    "市圖書館館長許文濤介紹，新館每週開放84小時，週一至週日9:00至21:00均可入館。館內還開闢了方言"
    "口述史錄音間，計劃用三年時間採集1000位老人講述的“臨江記憶”。",
    "據瞭解，老館所在的中山路館舍將改造為社區分館，預計明年春季重新開放，屆時兩館之間將開通通借通還服務。",
]

FOOTBALL_HANT = [
    "城市杯足球賽決賽 臺北藍鵲2比1逆轉高雄海港",
    "8月5日晚間在臺北田徑場舉行的城市杯足球賽決賽中，主隊臺北藍鵲憑藉下半場的兩粒進球，以2比1逆轉"
    "擊敗高雄海港，睽違6年再度捧起冠軍獎盃。",
    "比賽於晚上7:30開踢，現場湧入約1.2萬名球迷。開賽第18分鐘，高雄海港利用角球機會由前鋒林子翔頭槌破門，取得1比0領先。",
    "易邊再戰後，臺北藍鵲加強邊路進攻。第63分鐘，替補上場的19歲小將陳柏宇禁區外遠射扳平比分；"
    "第88分鐘，隊長吳承恩在混戰中補射得手，全場沸騰。",
    "賽後總教練黃國棟表示：「球員們在落後時沒有放棄，這座冠軍屬於每一位支持我們的球迷。」他也透露，"
    "球隊將在9月前往日本進行為期兩週的移地訓練。",
    "本屆賽事共有12支球隊參加，賽會統計顯示，總進球數達到87球，場均觀眾人數較去年成長約三成。",
]

WINERY_HANT = [
    "舊酒廠變身文創園區 嘉禾市打造藝文新地標",
    "閒置近二十年的嘉禾舊酒廠，經過三年整修後於10月21日重新開放，成為結合展演、市集與餐飲的文創園區，"
    "開幕首週末就吸引超過3萬人次入園參觀。",
    "園區保留了日治時期興建的紅磚倉庫與高聳的煙囪，原本的蒸餾廠房改為可容納500人的表演廳，倉庫則規劃為"
    "青年創業工作室與手作教室。",
    "市府文化局長蘇怡君表示，整修過程中邀請建築、歷史等領域學者組成諮詢小組，「我們希望老建築不只是被"
    "保存，而是重新回到市民的生活裡。」",
    "為了帶動周邊商圈，園區每個週末都會舉辦青農市集，並與在地業者合作推出限定商品。文化局也將在明年春天"
    "規劃一系列老酒廠導覽活動。",
]

# Mainland-style Traditional (OpenCC standard), as the "繁體版" of a mainland portal shows it, with
# the pinyin of ruby annotations left behind in half-width brackets, and half-width commas.
CANTEEN_HANT_RUBY = [
    "長興街道社區(qū)食堂開張 老人吃上熱乎飯(fàn)",
    "10月8日,長興街道首家社區(qū)長者食堂在文化路正式開張。食堂每天供應早中晚三餐,60歲(suì)以上老人"
    "憑卡就餐可享受八折優(yōu)惠,80歲以上獨(dú)居老人還可免費領取午餐。",
    "食堂由街道提供場地,引入專業(yè)餐飲企業運營,菜品每週更換(huàn),兼顧少油少鹽和軟爛易嚼。開張當天,"
    "近200名老人前來品嚐,不少人還帶來了孫輩(bèi)。",
    "“我一個人住,以前經常隨便對付一口,現在走幾步路就能吃上熱乎飯。”今年78歲的獨(dú)居老人鄭阿婆說。(周 嵐)",
    "據介紹,街道還在轄(xiá)區(qū)內各村(社區(qū))設立了12個助餐點,行動不便的老人可以通過電話預(yù)約,"
    "由志願者送餐上門。下一步,街道將根據老人的意見調整菜譜(pǔ)和就餐時間。(記者 陳立)",
]
RUBY_SYLLABLES = ["qū", "fàn", "suì", "yōu", "dú", "yè", "huàn", "bèi", "xiá", "yù", "pǔ"]

GRAIN_HANT = [
    "今年秋糧收購工作全面展開",
    "隨着晚稻陸續收割上市，全縣今年的秋糧收購工作已於10月25日全面展開。縣糧食和物資儲備局在各鄉鎮設立了"
    "36個收購網點，預計收購量將超過8萬噸。",
    "爲方便農民售糧，各網點延長了營業時間，每天早上7點開秤、晚上8點停秤，並開通了手機預約功能，農民可以"
    "提前選好時段，減少排隊等候。",
    "在城關鎮的收購點，種糧大戶孫建國正把剛烘乾的稻穀送上傳送帶。他告訴記者，今年自家種的300畝水稻長勢"
    "不錯，每畝比去年多收了近50公斤。",
    "縣糧食和物資儲備局負責人表示，今年將嚴格執行國家最低收購價政策，確保不壓級壓價、不拖欠農民售糧款，"
    "切實保護種糧農民的利益。",
]

# --------------------------------------------------------------------------------------------
# Damage
# --------------------------------------------------------------------------------------------

HALF_PUNCT = str.maketrans({"，": ",", "：": ":", "；": ";", "？": "?", "！": "!"})


def half_punct(s: str) -> str:
    """What NFKC-happy scrapers leave: Chinese ，：；？！ written as ASCII."""
    return s.translate(HALF_PUNCT)


def full_alnum(s: str) -> str:
    """ASCII letters and digits written full-width (２０２３年, ＧＤＰ); '.' and '%' left alone."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in s)


def utf8_as_latin1(s: str) -> str:
    """UTF-8 bytes read as ISO-8859-1 (C1 controls included), as a mis-set CMS saves them."""
    return s.encode("utf-8").decode("latin-1")


def utf8_as_cp1252(s: str) -> str:
    """UTF-8 bytes read as Windows-1252; its five undefined bytes become C1 controls ("sloppy")."""
    out = []
    for b in s.encode("utf-8"):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


def undo_cp1252(s: str) -> str:
    """Inverse of utf8_as_cp1252 (used by --check only)."""
    return b"".join(bytes([ord(c)]) if ord(c) < 0x100 else c.encode("cp1252") for c in s).decode("utf-8")


def utf8_as_gbk(s: str) -> str:
    """UTF-8 bytes read as GBK (鏂拌溅 for 新车); strict, so that the damage is reversible."""
    b = s.encode("utf-8")
    t = b.decode("gbk")
    assert t.encode("gbk") == b and t.encode("gb18030") == b, "GBK mojibake is not reversible"
    return t


def lose_lead_byte(s: str, target: str, keep: str = "") -> str:
    """Replace the lead byte of `target`'s GBK code by '?' so that its trail byte (0x40-0x7E)
    survives as an ASCII letter: 縣 (BF 68) -> '?h'. `keep` is context that must follow it."""
    code = target.encode("gbk")
    assert len(code) == 2 and 0x40 <= code[1] <= 0x7E, target
    assert s.count(target + keep) == 1, (target, keep)
    return s.replace(target + keep, "?" + chr(code[1]) + keep)


# --------------------------------------------------------------------------------------------
# Page builders
# --------------------------------------------------------------------------------------------


def lines(*parts) -> str:
    out = []
    for p in parts:
        if isinstance(p, (list, tuple)):
            out.extend(p)
        else:
            out.append(p)
    return "\n".join(out) + "\n"


def esc(s: str) -> str:
    return html.escape(s, quote=False)


def p_tags(paras, quote_style="named") -> list:
    """<p> paragraphs; Chinese quotes written as HTML entities."""
    out = []
    for i, para in enumerate(paras):
        t = esc(para)
        if quote_style == "named" or (quote_style == "mixed" and i % 2 == 1):
            t = t.replace("“", "&ldquo;").replace("”", "&rdquo;")
        elif quote_style == "mixed":
            t = t.replace("“", "&#8220;").replace("”", "&#8221;")
        out.append(f"<p>{t}</p>")
    return out


def library_html() -> str:
    body = p_tags(LIBRARY, "mixed")
    body[0] = body[0].replace("<p>", "<p>&nbsp;&nbsp;&nbsp;&nbsp;", 1)
    return lines(
        "<!DOCTYPE html>",
        '<html lang="zh-CN">',
        "<head>",
        '<meta charset="gbk">',
        f"<title>{LIBRARY_TITLE}_华信新闻网</title>",
        '<meta name="keywords" content="图书馆,新馆开放,临江新区">',
        "<style>",
        'body{font-family:"宋体",serif;margin:0}',
        ".nav li{float:left;list-style:none;padding:0 8px}",
        ".share{float:right;color:#999}",
        "</style>",
        '<script type="text/javascript">',
        "var _hx = _hx || [];",
        "document.write('<div class=\"ad\">正在加载广告</div>');",
        "</script>",
        "</head>",
        "<body>",
        '<div class="top">',
        '<ul class="nav">',
        '<li><a href="/">华信首页</a></li><li><a href="/news/">新闻</a></li>'
        '<li><a href="/local/">本地</a></li><li><a href="/finance/">财经</a></li>'
        '<li><a href="/sports/">文体</a></li><li><a href="/video/">视频</a></li>'
        '<li><a href="/m/">手机版</a></li>',
        "</ul>",
        "</div>",
        '<div class="crumb"><a href="/">首页</a> &gt; <a href="/news/">新闻</a> &gt; <a href="/local/">本地</a></div>',
        '<div class="article">',
        f"<h1>{LIBRARY_TITLE}</h1>",
        '<div class="info">发布时间：2023-06-12 09:30&nbsp;&nbsp;来源：临江日报&nbsp;&nbsp;作者：蒋一鸣</div>',
        '<div class="share">分享到：<a href="#wx">微信</a> <a href="#wb">微博</a> <a href="#qz">QQ空间</a></div>',
        "<!-- 正文开始 -->",
        '<div class="content">',
        body,
        "</div>",
        "<!-- 正文结束 -->",
        '<div class="editor">（责任编辑：程雪）</div>',
        '<div class="related">',
        "<h3>相关阅读</h3>",
        "<ul>",
        '<li><a href="/local/20230608/5521.html">临江新区文化中心主体工程完工</a></li>',
        '<li><a href="/local/20230605/5487.html">暑期少儿阅读季活动即日起报名</a></li>',
        '<li><a href="/local/20230531/5402.html">老城区十条背街小巷完成改造</a></li>',
        "</ul>",
        "</div>",
        "</div>",
        "<footer>",
        '<p><a href="/about/">关于我们</a> | <a href="/contact/">联系我们</a> | <a href="/ad/">广告服务</a></p>',
        "<p>版权所有 &copy; 2023 华信新闻网 京ICP备05021763号</p>",
        "</footer>",
        '<script>window.hxStat && hxStat.track("pv");</script>',
        "</body>",
        "</html>",
    )


def gdp_html() -> str:
    body = ["<p>　　" + esc(full_alnum(p)) + "</p>" for p in GDP]
    title = full_alnum(GDP_TITLE)
    return lines(
        "<!DOCTYPE html>",
        "<html>",
        "<head>",
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
        f"<title>{esc(title)} - 南方门户</title>",
        '<script src="/js/jquery.min.js"></script>',
        '<script>var pageType = "article"; var channel = "财经";</script>',
        "</head>",
        "<body>",
        '<div id="header"><div class="logo">南方门户</div>',
        '<div class="menu"><a href="/">首页</a> | <a href="/yw/">要闻</a> | <a href="/cj/">财经</a> | '
        '<a href="/tq/">天气</a> | <a href="/fc/">房产</a> | <a href="/m/">手机版</a></div></div>',
        '<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/cj/">财经</a> &gt; '
        '<a href="/cj/sj/">数据</a></div>',
        '<div id="main">',
        f"<h1>{esc(title)}</h1>",
        '<div class="time">发布时间：2023-07-20 15:00　来源：市统计局</div>',
        '<div class="text">',
        body,
        "</div>",
        '<div class="bdsharebuttonbox share"><a class="bds_weixin">微信</a><a class="bds_tsina">新浪微博</a></div>',
        "</div>",
        '<div id="footer">南方门户网 版权所有 粤ICP备09087215号-1<br>违法和不良信息举报电话：020-83316620</div>',
        "</body>",
        "</html>",
    )


def winery_html() -> str:
    return "\r\n".join(
        [
            "<html>",
            "<head>",
            f"<title>{WINERY_HANT[0]} - 嘉禾日報</title>",
            "<style>.menu a{margin:0 6px;color:#333}</style>",
            "</head>",
            "<body>",
            '<div class="menu"><a href="/">首頁</a><a href="/politics">政治</a><a href="/local">地方</a>'
            '<a href="/life">生活</a><a href="/video">影音</a><a href="/subscribe">訂閱</a></div>',
            '<div class="story">',
            f"<h1>{WINERY_HANT[0]}</h1>",
            '<div class="byline">2023-10-22 18:05　記者林佳蓉／嘉禾報導</div>',
            *p_tags(WINERY_HANT[1:], "none"),
            '<div class="share">分享：Facebook | LINE | 列印</div>',
            '<div class="more"><h4>延伸閱讀</h4><ul>',
            '<li><a href="/n/88231">嘉禾燈會主燈曝光 今年以「光之河」為主題</a></li>',
            '<li><a href="/n/88190">老街騎樓整修完工 商家盼人潮回流</a></li>',
            "</ul></div>",
            "</div>",
            '<div class="footer">嘉禾日報 版權所有 &copy; 2023 禁止轉載</div>',
            "</body>",
            "</html>",
            "",
        ]
    )


def football_txt() -> str:
    return lines(
        "臺北日報 首頁 | 即時 | 政治 | 體育 | 生活 | 娛樂 | 影音",
        "會員登入　訂閱電子報",
        "體育 > 足球",
        FOOTBALL_HANT[0],
        "2023/08/05 22:41　記者張雅婷／臺北報導",
        "字級 小 中 大　列印",
        "",
        FOOTBALL_HANT[1:],
        "",
        "延伸閱讀",
        "•女足聯賽開季 新竹隊主場告捷",
        "•全國中學足球錦標賽八強出爐",
        "分享至 Facebook　LINE　複製連結",
        "Copyright (C) 2023 臺北日報 版權所有，未經授權請勿轉載",
    )


def rain_txt() -> str:
    zw = "\u200b"
    p = list(RAIN)
    p[0] = "\u00a0\u00a0" + p[0].replace("冷暖空气交汇", "冷暖空气" + zw + "交汇")
    p[1] = p[1].replace("暴雨橙色预警", "暴雨\u200c橙色预警")
    p[2] = p[2].replace("暂停线下教学", "暂停线下\u2060教学")
    p[3] = "\u00a0\u00a0" + p[3].replace("积水路段", "积水\u00a0路段")
    p[4] = p[4].replace("气温回升至", "气温回升\ufeff至")
    for old, new in zip(RAIN, p, strict=True):
        assert old != new
    return lines(
        "南方门户 | 天气频道",
        "登录 | 注册 | 手机版",
        "当前位置：首页 > 天气 > 预警",
        RAIN_TITLE.replace("橙色预警", "橙色" + zw + "预警"),
        "2023-07-18 07:45　来源：南方门户网　作者：周敏",
        p,
        "分享到：微信 微博 QQ空间",
        "热点推荐",
        "· 高温补贴发放标准公布 这些岗位可以领取",
        "· 用电高峰来临 电网启动保供预案",
        "关于我们 | 联系我们 | 广告服务 | 网站地图",
        "南方门户网 版权所有 粤ICP备09087215号-1",
    )


def expo_txt() -> str:
    return "\r\n".join(
        [
            "港城网 | 首页 | 科技 | 财经 | 手机版",
            "您现在的位置：网站首页 >> 科技频道 >> 正文",
            EXPO_TITLE,
            "2023年09月14日 10:20　来源：港城网　作者：韦晓东",
            *EXPO,
            "相关新闻",
            "· 港城5G基站总数突破1.2万个",
            "· 本地两家企业入选专精特新“小巨人”名单",
            "扫描二维码关注港城网微信公众号",
            "Copyright © 2023 港城网 All Rights Reserved",
            "",
        ]
    )


def bridge_txt() -> str:
    return lines(
        "西北新闻网　首页　乡村",
        BRIDGE_TITLE,
        "发布日期：2023年05月09日 16:20",
        BRIDGE,
        "责任编辑：马丽",
    )


def river_txt() -> str:
    ind = "　　"
    p = [ind + half_punct(x) for x in RIVER]
    p[1] += "<br/>"
    return lines(
        "手机版 | 网站首页 | 返回首页 | 数字报",
        "北城日报 · 城事",
        "【字体：大 中 小】 打印本页 关闭窗口",
        RIVER_TITLE,
        "2023-04-22 08:15 来源：北城日报",
        "点击收听 00:00/03:12",
        "分享到：",
        "扫一扫 在手机上阅读本文",
        "本报记者 韩冬 通讯员 宋一凡",
        p[:3],
        "（下转第3版）",
        "北城日报　2023年4月22日　第3版",
        "（上接第1版）",
        p[3:],
        "（编辑：孙悦）",
        "上一篇：城北片区老旧小区加装电梯进度过半 下一篇：北城区启动春季义务植树活动",
        "相关新闻",
        "城北公园湿地修复工程通过验收",
        "我市公布首批“美丽河湖”名单",
        "热点推荐",
        "北城地铁3号线全线进入铺轨阶段",
        "五一假期全市景区接待游客创历史新高",
    )


def canteen_txt() -> str:
    return lines(
        "新橋新聞網 首頁 > 民生 > 社區(qū)",
        CANTEEN_HANT_RUBY[0],
        "2023年10月09日 08:30 來源:新橋新聞網",
        CANTEEN_HANT_RUBY[1:],
        "(責任編輯:許可)",
        "掃一掃 關注新橋發布",
    )


def bus_txt() -> str:
    p = list(BUS)
    p[1] = utf8_as_latin1(p[1])
    p[3] = utf8_as_cp1252(p[3])
    p[4] = utf8_as_gbk(p[4])
    return lines(
        "西湖时报 首页 | 新闻 | 民生 | 手机版",
        BUS_TITLE,
        "2023-11-01 17:20 来源：西湖时报",
        p,
        "相关阅读",
        "西湖区新增3条夜间公交线路",
        "城西片区公共自行车站点扩容",
        "西湖时报社 版权所有 未经授权不得转载",
    )


def grain_txt() -> str:
    p = list(GRAIN_HANT[1:])
    p[0] = lose_lead_byte(p[0], "縣", "今年")  # 全縣今年 -> 全?h今年
    p[0] = p[0].replace("展開。縣糧食", "展開??h糧食")  # the full stop went with it
    p[1] = lose_lead_byte(p[1], "營", "業時間")  # 營 (A0 49) -> ?I
    p[2] = lose_lead_byte(p[2], "孫", "建國")  # 孫 (8C 4F) -> ?O
    p[2] = p[2].replace("剛烘乾的", "剛锟斤拷的")  # two U+FFFD re-read as GBK
    return lines(
        "西湖時報 首頁 | 新聞 | 民生 | 手機版",
        GRAIN_HANT[0],
        "2023-10-26 10:05 來源：西湖時報",
        p,
        "(責任編輯：錢芳)",
        "西湖時報社 版權所有 未經授權不得轉載",
    )


def library_repost_txt() -> str:
    return lines(
        "海峽郵報 首頁 > 兩岸 > 文化",
        LIBRARY_HANT[0],
        "2023-06-13 14:20 轉載自：臨江日報",
        LIBRARY_HANT[1:],
        "本文轉載自臨江日報，如有侵權請聯繫刪除。",
        "熱門文章",
        "臺中國際書展下月登場",
        "兩岸青年閱讀交流營開始報名",
    )


def clinic_txt() -> str:
    p = list(CLINIC)
    p[1] = p[1].replace("视物模糊", "视物模\ufffd")  # a byte lost in transit
    p[2] = p[2].replace("健康手册", "健康手\ufffd\ufffd")
    return lines(
        "东江网 > 健康 > 社区",
        CLINIC_TITLE,
        "2023-10-15 09:10 来源：东江网",
        p,
        "东江网版权所有 联系电话：0769-22110350",
    )


def png_bytes() -> bytes:
    """A real 8x8 RGB PNG (stored deflate blocks, so the bytes never change)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    w = h = 8
    rows = b"".join(b"\x00" + b"".join(bytes([x * 32, y * 32, 160]) for x in range(w)) for y in range(h))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows, 0))
        + chunk(b"IEND", b"")
    )


# --------------------------------------------------------------------------------------------
# The samples and what the pipeline must make of them
# --------------------------------------------------------------------------------------------


@dataclass
class Sample:
    path: str
    note: str
    text: str | None = None  # decoded raw text (None for non-text)
    codec: str | None = None  # Python codec that writes it
    bom: bytes = b""
    data: bytes | None = None  # raw bytes for non-text files
    encoding: str | None = None  # label in the fixture (true encoding as the pipeline names it)
    declared: str | None = "none"  # charset declared in the page ("none" = not written)
    script_in: str | None = None
    title: str | None = None
    published: str | None = None
    meta: dict = field(default_factory=dict)
    clean: list = field(default_factory=list)  # expected clean title + paragraphs
    must_contain: list = field(default_factory=list)
    must_not_contain: list = field(default_factory=list)
    unrepairable: bool = False
    duplicate_of: str | None = None
    mojibake: bool = False  # reversible damage: phrases are checked against the clean text only
    status: str = "ok"
    reason: str | None = None

    def raw_bytes(self) -> bytes:
        if self.data is not None:
            return self.data
        return self.bom + self.text.encode(self.codec)


LIB_MUST = [
    "馆藏纸质图书约260万册",
    "想第一个借到《城南旧事》",
    "新馆最大的变化是“无感借还”",
    "覆盖了5G网络和免费Wi-Fi",
    "9:00至21:00均可入馆",
    "讲述的“临江记忆”",
]

SAMPLES = [
    Sample(
        path="huaxin-news/2023/0612/local-library-opening.html",
        note="GBK HTML with <meta charset=gbk>: nav, breadcrumb, share div, script/style, comment, "
        "footer (copyright, ICP), h1, date/source line, entities (&ldquo; &#8220; &nbsp; &copy;), "
        "editor line and a 相关阅读 link list",
        text=library_html(),
        codec="gbk",
        encoding="gb18030",
        declared="gbk",
        script_in="hans",
        title=LIBRARY_TITLE,
        published="2023-06-12T09:30",
        meta={"source_name": "临江日报", "author": "蒋一鸣", "editor": "程雪"},
        clean=[LIBRARY_TITLE, *LIBRARY],
        must_contain=LIB_MUST,
        must_not_contain=[
            "华信新闻网",
            "华信首页",
            "手机版",
            "首页 > 新闻 > 本地",
            "正在加载广告",
            "宋体",
            "float:left",
            "发布时间",
            "来源：临江日报",
            "作者：蒋一鸣",
            "分享到",
            "QQ空间",
            "正文开始",
            "正文结束",
            "责任编辑：程雪",
            "相关阅读",
            "临江新区文化中心主体工程完工",
            "暑期少儿阅读季活动即日起报名",
            "老城区十条背街小巷完成改造",
            "关于我们",
            "联系我们",
            "广告服务",
            "版权所有",
            "京ICP备05021763号",
            "hxStat",
            "&ldquo;",
            "&nbsp;",
        ],
    ),
    Sample(
        path="taibei-daily/sports/20230805-city-cup-final.txt",
        note="Big5 text dump of a Taiwan-style article (Traditional, 「」 quotes) with menu, member, "
        "breadcrumb and font-size lines at the head, teasers, share and copyright lines at the tail",
        text=football_txt(),
        codec="big5",
        encoding="big5hkscs",
        script_in="hant",
        title=FOOTBALL_TITLE,
        published="2023-08-05T22:41",
        meta={"author": "张雅婷"},
        clean=[FOOTBALL_TITLE, *FOOTBALL],
        must_contain=[
            "睽违6年再度捧起冠军奖杯",
            "比赛于晚上7:30开踢",
            "替补上场的19岁小将陈柏宇",
            "进行为期两周的移地训练",
            "场均观众人数较去年成长约三成",
        ],
        must_not_contain=[
            "台北日报 首页",
            "即时 | 政治 | 体育",
            "会员登入",
            "订阅电子报",
            "体育 > 足球",
            "2023/08/05 22:41",
            "记者张雅婷",
            "台北报导",
            "字级 小 中 大",
            "列印",
            "延伸阅读",
            "女足联赛开季 新竹队主场告捷",
            "全国中学足球锦标赛八强出炉",
            "分享至",
            "复制连结",
            "Copyright",
            "版权所有",
            "未经授权请勿转载",
        ],
    ),
    Sample(
        path="nanfang-portal/weather/20230718-rainstorm-warning.txt",
        note="UTF-8 with BOM text dump; NBSP indents and NBSP between Han, zero-width space, ZWNJ, "
        "word joiner and a stray U+FEFF inside words; portal chrome at head and tail",
        text=rain_txt(),
        codec="utf-8",
        bom=b"\xef\xbb\xbf",
        encoding="utf-8",
        script_in="hans",
        title=RAIN_TITLE,
        published="2023-07-18T07:45",
        meta={"source_name": "南方门户网", "author": "周敏"},
        clean=[RAIN_TITLE, *RAIN],
        must_contain=[
            "受冷暖空气交汇影响",
            "发布暴雨橙色预警信号",
            "暂停线下教学",
            "切勿强行通过积水路段",
            "气温回升至33℃左右",
        ],
        must_not_contain=[
            "南方门户 | 天气频道",
            "登录 | 注册",
            "手机版",
            "当前位置",
            "首页 > 天气 > 预警",
            "来源：南方门户网",
            "作者：周敏",
            "分享到",
            "QQ空间",
            "热点推荐",
            "高温补贴发放标准公布",
            "电网启动保供预案",
            "关于我们",
            "网站地图",
            "版权所有",
            "粤ICP备09087215号-1",
            "\u200b",
            "\u200c",
            "\u2060",
            "\ufeff",
            "\u00a0",
        ],
    ),
    Sample(
        path="gangcheng-wang/tech/2023-09-14-digital-expo.txt",
        note="UTF-16 LE with BOM, CRLF line ends; text dump with location bar, related-news "
        "teasers, QR-code line and an English copyright line",
        text=expo_txt(),
        codec="utf-16-le",
        bom=b"\xff\xfe",
        encoding="utf-16-le",
        script_in="hans",
        title=EXPO_TITLE,
        published="2023-09-14T10:20",
        meta={"source_name": "港城网", "author": "韦晓东"},
        clean=[EXPO_TITLE, *EXPO],
        must_contain=[
            "460余家企业参展",
            "识别精度超过99%",
            "AI辅助诊疗平台",
            "首次设立“青年创客”专区",
            "总金额约135亿元",
        ],
        must_not_contain=[
            "港城网 | 首页",
            "手机版",
            "您现在的位置",
            "网站首页 >> 科技频道",
            "来源：港城网",
            "作者：韦晓东",
            "相关新闻",
            "港城5G基站总数突破1.2万个",
            "入选专精特新",
            "扫描二维码",
            "微信公众号",
            "All Rights Reserved",
        ],
    ),
    Sample(
        path="xibei-news/village/shimen-bridge.txt",
        note="UTF-16 BE without BOM, almost only Han (few ASCII bytes to show the zero pattern); "
        "short chrome line at the head, editor line at the tail",
        text=bridge_txt(),
        codec="utf-16-be",
        encoding="utf-16-be",
        script_in="hans",
        title=BRIDGE_TITLE,
        published="2023-05-09T16:20",
        meta={"editor": "马丽"},
        clean=[BRIDGE_TITLE, *BRIDGE],
        must_contain=[
            "始建于清代光绪年间",
            "绕行8公里外的新桥去赶集",
            "对桥基进行注浆加固",
            "在桥头经营小卖部的村民杨大伯说",
            "了解当地的乡土文化",
        ],
        must_not_contain=["西北新闻网", "发布日期", "责任编辑：马丽"],
    ),
    Sample(
        path="beicheng-daily/local/2023-04-22-shahe-river.txt",
        note="UTF-8 flattened page: 手机版/网站首页/返回首页 menu, 【字体：大 中 小】, 打印本页 关闭窗口, "
        "player widget, 分享到, 扫一扫, byline, 　　 indents, half-width , and :, a <br/> residue, "
        "（下转第3版）/ page masthead /（上接第1版） inside the body, （编辑：…）, 上一篇/下一篇, "
        "相关新闻 and 热点推荐 teasers",
        text=river_txt(),
        codec="utf-8",
        encoding="utf-8",
        script_in="hans",
        title=RIVER_TITLE,
        published="2023-04-22T08:15",
        meta={"source_name": "北城日报", "editor": "孙悦", "author": "韩冬"},
        clean=[RIVER_TITLE, *RIVER],
        must_contain=[
            "河水清澈见底，白鹭时常",
            "封堵沿岸排污口47个",
            "推行“河长+志愿者”模式",
            "他说：“以前走到",
            "以前走到河边都要捂着鼻子",
            "建设滨河生态公园",
        ],
        must_not_contain=[
            "手机版",
            "网站首页",
            "返回首页",
            "数字报",
            "北城日报 · 城事",
            "【字体：大 中 小】",
            "打印本页",
            "关闭窗口",
            "来源：北城日报",
            "点击收听",
            "00:00/03:12",
            "分享到",
            "扫一扫",
            "在手机上阅读本文",
            "本报记者 韩冬",
            "通讯员 宋一凡",
            "下转第3版",
            "上接第1版",
            "第3版",
            "编辑：孙悦",
            "上一篇",
            "下一篇",
            "城北片区老旧小区加装电梯进度过半",
            "北城区启动春季义务植树活动",
            "相关新闻",
            "城北公园湿地修复工程通过验收",
            "我市公布首批“美丽河湖”名单",
            "热点推荐",
            "北城地铁3号线全线进入铺轨阶段",
            "五一假期全市景区接待游客创历史新高",
            "<br",
            "　　",
        ],
    ),
    Sample(
        path="xinqiao-news/minsheng/changxing-canteen.txt",
        note="UTF-8, mainland-style Traditional with ruby pinyin debris after some characters "
        "(區(qū), 飯(fàn), 歲(suì)…), including one inside real brackets 村(社區(qū)); real brackets that "
        "must stay: (社區), (周 嵐), (記者 陳立); half-width commas and colons",
        text=canteen_txt(),
        codec="utf-8",
        encoding="utf-8",
        script_in="hant",
        title=CANTEEN_TITLE,
        published="2023-10-09T08:30",
        meta={"source_name": "新桥新闻网", "editor": "许可"},
        clean=[CANTEEN_TITLE, *CANTEEN],
        must_contain=[
            "首家社区长者食堂",
            "60岁以上老人凭卡就餐",
            "菜品每周更换",
            "各村（社区）设立了12个助餐点",
            "郑阿婆说。（周 岚）",
            "调整菜谱和就餐时间",
        ],
        must_not_contain=[
            "新桥新闻网",
            "首页 > 民生",
            "责任编辑",
            "许可",
            "扫一扫",
            "关注新桥发布",
            *RUBY_SYLLABLES,
        ],
    ),
    Sample(
        path="xihu-times/city/20231101-new-energy-buses.txt",
        note="UTF-8 page with mojibake: paragraph 2 is UTF-8 read as Latin-1 (C1 controls included), "
        "paragraph 4 UTF-8 read as Windows-1252 (sloppy), paragraph 5 UTF-8 read as GBK; all reversible",
        text=bus_txt(),
        codec="utf-8",
        encoding="utf-8",
        script_in="hans",
        title=BUS_TITLE,
        published="2023-11-01T17:20",
        meta={"source_name": "西湖时报"},
        mojibake=True,
        clean=[BUS_TITLE, *BUS],
        must_contain=[
            "实现新能源车辆全覆盖",
            "安装了USB充电接口",
            "减少二氧化碳排放约60吨",
            "新建了128个充电桩",
            "路上还能看看书",
            "试点开通两条定制公交专线",
        ],
        must_not_contain=[
            "西湖时报 首页",
            "新闻 | 民生",
            "手机版",
            "来源：西湖时报",
            "相关阅读",
            "西湖区新增3条夜间公交线路",
            "城西片区公共自行车站点扩容",
            "版权所有",
            "未经授权不得转载",
            "æ",
            "å",
            "é",
            "鏂拌溅",
        ],
    ),
    Sample(
        path="xihu-times/farm/20231026-autumn-grain.txt",
        note="GBK text dump (Traditional, the portal's 繁體 edition) with lost lead bytes (全?h今年, "
        "展開??h糧食, ?I業, ?O建國) and 锟斤拷 where two characters were lost; cannot be repaired, "
        "must be flagged",
        text=grain_txt(),
        codec="gbk",
        encoding="gb18030",
        script_in="hant",
        title=GRAIN_TITLE,
        published="2023-10-26T10:05",
        meta={"source_name": "西湖时报", "editor": "钱芳"},
        clean=[GRAIN_TITLE, *GRAIN],
        must_contain=[
            "在各乡镇设立了36个收购网点",
            "每天早上7点开秤",
            "开通了手机预约功能",
            "每亩比去年多收了近50公斤",
            "严格执行国家最低收购价政策",
        ],
        must_not_contain=[
            "西湖时报 首页",
            "手机版",
            "来源：西湖时报",
            "责任编辑",
            "钱芳",
            "版权所有",
            "未经授权不得转载",
        ],
        unrepairable=True,
    ),
    Sample(
        path="haixia-post/culture/linjiang-library-repost.txt",
        note="UTF-8 text dump: Traditional (Taiwan characters) repost of the huaxin-news library "
        "article on another site; every paragraph is a cross-script duplicate",
        text=library_repost_txt(),
        codec="utf-8",
        encoding="utf-8",
        script_in="hant",
        title=LIBRARY_TITLE,
        published="2023-06-13T14:20",
        meta={"source_name": "临江日报"},
        clean=[LIBRARY_TITLE, *LIBRARY],
        must_contain=LIB_MUST,
        must_not_contain=[
            "海峡邮报",
            "首页 > 两岸 > 文化",
            "转载自",
            "如有侵权请联系删除",
            "热门文章",
            "台中国际书展下月登场",
            "两岸青年阅读交流营开始报名",
        ],
        duplicate_of="huaxin-news/2023/0612/local-library-opening.html",
    ),
    Sample(
        path="nanfang-portal/economy/2023h1-gdp.html",
        note="HTML whose <meta> says utf-8 but whose bytes are GBK (the bytes must win); full-width "
        "digits and letters (２０２３年, ＧＤＰ), 　　 indents inside <p>, share div, footer div",
        text=gdp_html(),
        codec="gbk",
        encoding="gb18030",
        declared="utf-8",
        script_in="hans",
        title=GDP_TITLE,
        published="2023-07-20T15:00",
        meta={"source_name": "市统计局"},
        clean=[GDP_TITLE, *GDP],
        must_contain=[
            "地区生产总值（GDP）",
            "增速比一季度加快1.4个百分点",
            "第二产业增加值2178.6亿元",
            "新能源汽车零售额增长46%",
            "经济回升向好的态势没有改变",
        ],
        must_not_contain=[
            "南方门户",
            "要闻",
            "手机版",
            "当前位置",
            "首页 > 财经 > 数据",
            "发布时间",
            "来源：市统计局",
            "新浪微博",
            "版权所有",
            "粤ICP备09087215号-1",
            "违法和不良信息举报",
            "pageType",
            "jquery",
            "ＧＤＰ",
            "２０２３",
        ],
    ),
    Sample(
        path="taibei-daily/culture/old-winery-park.html",
        note="Big5 HTML with no charset declaration at all (no meta, no BOM), CRLF; menu, byline, "
        "share div, 延伸閱讀 box, footer with &copy;",
        text=winery_html(),
        codec="big5",
        encoding="big5hkscs",
        declared=None,
        script_in="hant",
        title=WINERY_TITLE,
        published="2023-10-22T18:05",
        meta={"author": "林佳蓉"},
        clean=[WINERY_TITLE, *WINERY],
        must_contain=[
            "于10月21日重新开放",
            "保留了日治时期兴建的红砖仓库",
            "可容纳500人的表演厅",
            "邀请建筑、历史等领域学者",
            "每个周末都会举办青农市集",
        ],
        must_not_contain=[
            "嘉禾日报",
            "订阅",
            "记者林佳蓉",
            "嘉禾报导",
            "分享：Facebook",
            "列印",
            "延伸阅读",
            "嘉禾灯会主灯曝光",
            "老街骑楼整修完工 商家盼人潮回流",
            "版权所有",
            "禁止转载",
        ],
    ),
    Sample(
        path="beicheng-daily/brief/jixiangzhai-pastry.txt",
        note="GB18030 page of two lines (title, one paragraph) with a character outside GBK "
        "(𠮷, U+20BB7, a four-byte GB18030 code)",
        text=lines(PASTRY),
        codec="gb18030",
        encoding="gb18030",
        script_in="hans",
        title=PASTRY[0],
        clean=list(PASTRY),
        must_contain=[
            "老字号“𠮷祥斋”糕点铺",
            "保留传统木模手工制作工艺",
            "桂花糕和枣泥酥",
        ],
        must_not_contain=[],
    ),
    Sample(
        path="dongjiang-wang/health/autumn-free-clinic.txt",
        note="UTF-8 text dump with U+FFFD where bytes were lost in transit (视物模�, 健康手��); "
        "cannot be repaired, must be flagged",
        text=clinic_txt(),
        codec="utf-8",
        encoding="utf-8",
        script_in="hans",
        title=CLINIC_TITLE,
        published="2023-10-15T09:10",
        meta={"source_name": "东江网"},
        clean=[CLINIC_TITLE, *CLINIC],
        must_contain=[
            "为居民免费问诊",
            "眼底检查的队伍排得最长",
            "130余名居民接受了诊疗服务",
            "邀请三甲医院的专家到社区坐诊",
        ],
        must_not_contain=["东江网", "健康 > 社区", "版权所有", "联系电话"],
        unrepairable=True,
    ),
    Sample(
        path="huaxin-news/2023/0612/photo-gallery.html",
        note="not text: a real PNG image saved under an .html name",
        data=png_bytes(),
        status="quarantined",
        reason="binary (PNG image)",
    ),
    Sample(
        path="nanfang-portal/weather/20230719-update.txt",
        note="empty file",
        data=b"",
        status="quarantined",
        reason="empty",
    ),
]

# --------------------------------------------------------------------------------------------
# Fixture
# --------------------------------------------------------------------------------------------


def q(s) -> str:
    """A YAML scalar: JSON strings are valid YAML double-quoted scalars."""
    if s is None:
        return "null"
    if isinstance(s, bool):
        return "true" if s else "false"
    out = json.dumps(s, ensure_ascii=False)
    # invisible characters (zero-width marks, NBSP, ideographic space) as escapes, to stay readable
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cf", "Zs", "Cc") and c != " " else c for c in out)


def fixture_text() -> str:
    out = [
        "# Sample corpus in raw/ and what the pipeline must make of it.",
        "# GENERATED by tests/make_samples.py: edit that script and rerun it, not this file.",
        "#",
        "# path:             relative to raw/",
        "# encoding:         true encoding, named as the pipeline reports it (GBK bytes -> gb18030)",
        "# written_as:       codec that wrote the bytes, when it differs from `encoding`",
        "# bom:              the file starts with a byte-order mark",
        "# declared:         charset the page itself declares (<meta>), when it has one",
        "# script_in:        hans | hant | mixed",
        "# title, published: expected document metadata (published in ISO 8601, local time)",
        "# meta:             more metadata that chrome lines carry (source_name, author, editor)",
        "# must_contain:     phrases that must appear in the clean paragraphs: Simplified, full-width",
        "#                   Chinese punctuation, no pinyin debris, mojibake repaired, no indents",
        "# must_not_contain: chrome (and damage) that must not appear in any clean paragraph, given",
        "#                   in Simplified script as it appears in the raw text",
        "# unrepairable:     the file has lossy damage: its paragraphs must carry a flag",
        "# duplicate_of:     every paragraph duplicates that file's after script unification",
        "# status/reason:    quarantined files (not text, empty)",
        "samples:",
    ]
    for s in SAMPLES:
        out.append(f"  - path: {q(s.path)}")
        out.append(f"    note: {q(s.note)}")
        out.append(f"    status: {s.status}")
        if s.status != "ok":
            out.append(f"    reason: {q(s.reason)}")
            continue
        out.append(f"    encoding: {s.encoding}")
        if s.codec != s.encoding:
            out.append(f"    written_as: {s.codec}")
        if s.bom:
            out.append("    bom: true")
        if s.declared != "none":
            out.append(f"    declared: {q(s.declared)}")
        out.append(f"    script_in: {s.script_in}")
        if s.title:
            out.append(f"    title: {q(s.title)}")
        if s.published:
            out.append(f"    published: {q(s.published)}")
        if s.meta:
            out.append("    meta:")
            for k, v in s.meta.items():
                out.append(f"      {k}: {q(v)}")
        if s.unrepairable:
            out.append("    unrepairable: true")
        if s.duplicate_of:
            out.append(f"    duplicate_of: {q(s.duplicate_of)}")
        out.append("    must_contain:")
        out.extend(f"      - {q(x)}" for x in s.must_contain)
        if s.must_not_contain:
            out.append("    must_not_contain:")
            out.extend(f"      - {q(x)}" for x in s.must_not_contain)
        else:
            out.append("    must_not_contain: []")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# Verification
# --------------------------------------------------------------------------------------------

RUBY_RE = re.compile(r"(?<=[\u3400-\u9fff])\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüń]+\)")
HAN = r"[\u3400-\u9fff\U00020000-\U0002ffff\u3000-\u303f\uff00-\uffef“”《》]"
ASCII_PUNCT = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！", "(": "（", ")": "）"}


def rough_clean(text: str, t2s) -> str:
    """A crude stand-in for the pipeline (ruby, script, width, punctuation, invisible marks), used
    only to confirm that the must_contain phrases survive the damage that the samples carry."""
    text = RUBY_RE.sub("", text)
    text = t2s(text) if t2s else text
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff]", "", text)
    text = re.sub(r"(?<=[^\x00-\x7f])\u00a0|\u00a0(?=[^\x00-\x7f])", "", text)
    text = "".join(chr(ord(c) - 0xFEE0) if "\uff10" <= c <= "\uff5a" and c.isalnum() else c for c in text)
    text = text.replace("　", "")

    def punct(m):
        return ASCII_PUNCT[m.group(0)]

    text = re.sub(rf"(?<={HAN})[,:;?!()]|[,:;?!()](?={HAN})", punct, text)
    text = re.sub(r"(?<=（)[^（）\n]*\)", lambda m: m.group(0)[:-1] + "）", text)
    return text


def strip_html(text: str) -> str:
    text = re.sub(r"(?s)<(script|style)\b.*?</\1>|<!--.*?-->", "\n", text)
    text = re.sub(r"</?(p|div|h\d|li|ul|br|footer|title|head)\b[^>]*>", "\n", text)
    text = re.sub(r"<[^>]+>", "", text)
    return html.unescape(text)


def check(samples=SAMPLES, raw_dir: Path = RAW, fixture: Path = FIXTURE) -> list:
    errors = []
    try:
        from opencc import OpenCC

        t2s = OpenCC("t2s").convert
    except ImportError:  # the checks that need script conversion are skipped
        t2s = None
    paths = [s.path for s in samples]
    if len(set(paths)) != len(paths):
        errors.append("duplicate paths")
    for s in samples:
        where = s.path
        f = raw_dir / s.path
        if not f.is_file():
            errors.append(f"{where}: missing")
            continue
        data = f.read_bytes()
        if data != s.raw_bytes():
            errors.append(f"{where}: bytes on disk differ from the generator's")
        if len(data) >= MAX_SIZE:
            errors.append(f"{where}: {len(data)} bytes, not < {MAX_SIZE}")
        if s.status != "ok":
            continue
        # decodes with its true encoding to the intended text
        decoded = data.decode(s.encoding)
        if s.bom:
            decoded = decoded.removeprefix("\ufeff")
        if decoded != s.text:
            errors.append(f"{where}: does not decode with {s.encoding} to the intended text")
        if s.codec != s.encoding and data.decode(s.codec).removeprefix("\ufeff") != s.text:
            errors.append(f"{where}: does not decode with {s.codec}")
        if s.declared == "utf-8":  # the lie must be visible: the bytes are not UTF-8
            try:
                data.decode("utf-8")
                errors.append(f"{where}: meta says utf-8 and the bytes are valid UTF-8 too")
            except UnicodeDecodeError:
                pass
        clean = "\n".join(s.clean)
        for para in s.clean[1:]:
            if not 40 <= len(para) <= 200 and len(s.clean) > 2:
                errors.append(f"{where}: paragraph of {len(para)} chars: {para[:20]}")
        if not 3 <= len(s.must_contain) <= 6:
            errors.append(f"{where}: {len(s.must_contain)} must_contain phrases")
        visible = strip_html(decoded) if s.path.endswith(".html") else decoded
        rough = rough_clean(visible, t2s)
        convertible = t2s is not None or s.script_in == "hans"  # else skip the raw-side checks
        for ph in s.must_contain:
            if not 6 <= len(ph) <= 15:
                errors.append(f"{where}: phrase of {len(ph)} chars: {ph}")
            if ph not in clean:
                errors.append(f"{where}: phrase not in the clean text: {ph}")
            if convertible and not s.mojibake and ph not in rough:
                errors.append(f"{where}: phrase does not survive the raw damage: {ph}")
        for ch in s.must_not_contain:
            if ch in clean:
                errors.append(f"{where}: chrome string is in the clean text: {ch}")
            raw_simp = t2s(visible) if t2s else visible
            if convertible and ch not in raw_simp and ch not in visible and ch not in decoded:
                errors.append(f"{where}: chrome string not found in the raw file: {ch!r}")
        if t2s and s.script_in == "hant" and not s.unrepairable:
            for line in s.clean:
                if line not in rough:
                    errors.append(f"{where}: t2s of the raw text does not give: {line[:24]}…")
        if s.title and s.title != s.clean[0]:
            errors.append(f"{where}: title is not the first clean line")
    # mojibake really is reversible
    bus = next(s for s in samples if s.path.startswith("xihu-times/city"))
    bus_lines = bus.text.split("\n")
    undone = [
        bus_lines[4].encode("latin-1").decode("utf-8"),
        undo_cp1252(bus_lines[6]),
        bus_lines[7].encode("gbk").decode("utf-8"),
    ]
    if undone != [BUS[1], BUS[3], BUS[4]]:
        errors.append("xihu-times/city: mojibake does not reverse")
    # the fixture on disk is the one this script writes, and parses
    if not fixture.is_file() or fixture.read_text(encoding="utf-8") != fixture_text():
        errors.append(f"{fixture}: out of date")
    else:
        try:
            import yaml
        except ImportError:
            yaml = None
        if yaml:
            doc = yaml.safe_load(fixture.read_text(encoding="utf-8"))
            got = {d["path"]: d for d in doc["samples"]}
            for s in samples:
                d = got[s.path]
                if d["status"] == "ok" and (
                    d["must_contain"] != s.must_contain or d["must_not_contain"] != s.must_not_contain
                ):
                    errors.append(f"{s.path}: fixture does not round-trip through YAML")
    return errors


def write(raw_dir: Path = RAW, fixture: Path = FIXTURE) -> None:
    for s in SAMPLES:
        f = raw_dir / s.path
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_bytes(s.raw_bytes())
    fixture.parent.mkdir(parents=True, exist_ok=True)
    fixture.write_text(fixture_text(), encoding="utf-8", newline="\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only verify raw/ and the fixture on disk")
    ap.add_argument("--raw", type=Path, default=RAW)
    ap.add_argument("--fixture", type=Path, default=FIXTURE)
    a = ap.parse_args(argv)
    if not a.check:
        write(a.raw, a.fixture)
    errors = check(SAMPLES, a.raw, a.fixture)
    for e in errors:
        print("make_samples:", e, file=sys.stderr)
    if not errors:
        for s in SAMPLES:
            print(f"{len(s.raw_bytes()):5d}  {s.path}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
