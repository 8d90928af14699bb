-- Kinds of document a dossier, a visit, a decision or a payment may carry (hồ sơ đề án:
-- Circular 36/2013/TT-BCT Art. 5 and 10, as amended by 17/2018/TT-BCT; evidence for payment:
-- Art. 14). Which kinds an activity type requires is reference data too (required_documents).

create table document_kinds (
    code text primary key check (code ~ '^[a-z0-9_]{1,40}$'),
    name_vi text not null,
    name_en text not null,
    legal_ref text not null default '',
    sort_order integer not null
);

insert into document_kinds (code, name_vi, name_en, legal_ref, sort_order) values
    ('cover_letter', 'Công văn đề nghị của đơn vị thực hiện', 'Cover letter of the implementing unit',
        'Thông tư 36/2013/TT-BCT, Điều 5', 10),
    ('proposal_text', 'Đề án (thuyết minh)', 'Proposal text',
        'Thông tư 36/2013/TT-BCT, Điều 5', 20),
    ('budget_estimate', 'Dự toán chi tiết kinh phí (Mẫu số 1)', 'Detailed budget (form 1)',
        'Thông tư 36/2013/TT-BCT, Điều 5', 30),
    ('support_request', 'Văn bản đề nghị hỗ trợ của đơn vị thụ hưởng', 'Beneficiary''s request for support',
        'Thông tư 36/2013/TT-BCT, Điều 5', 40),
    ('business_registration', 'Giấy chứng nhận đăng ký doanh nghiệp, hợp tác xã hoặc hộ kinh doanh',
        'Business registration certificate', 'Thông tư 36/2013/TT-BCT, Điều 21', 50),
    ('financial_statement', 'Báo cáo tài chính hoặc bảng cân đối kế toán', 'Financial statement or balance sheet',
        'Thông tư 36/2013/TT-BCT, Điều 21', 60),
    ('quotation', 'Báo giá máy móc, thiết bị', 'Quotation for machinery and equipment', '', 70),
    ('technology_documents', 'Tài liệu công nghệ, quy trình sản xuất', 'Technology and process documents', '', 80),
    ('premises_papers', 'Giấy tờ về nhà xưởng, mặt bằng sản xuất', 'Papers on premises and production site', '', 90),
    ('counterpart_commitment', 'Cam kết bố trí vốn đối ứng', 'Commitment to provide counterpart funds',
        'Thông tư liên tịch 26/2014/TTLT-BTC-BCT, Điều 7', 100),
    ('no_double_funding', 'Cam kết nội dung đề nghị hỗ trợ chưa được hỗ trợ từ nguồn vốn nhà nước khác',
        'Commitment that the items received no other State funding',
        'Thông tư liên tịch 26/2014/TTLT-BTC-BCT, Điều 7', 110),
    ('training_plan', 'Kế hoạch, chương trình đào tạo', 'Training plan and curriculum', '', 120),
    ('photos', 'Ảnh hiện trạng cơ sở', 'Photographs of the facility', '', 130),
    ('other', 'Tài liệu khác', 'Other document', '', 900);
